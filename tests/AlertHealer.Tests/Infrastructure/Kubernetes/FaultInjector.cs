namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>Queued failures and delays for requests matching (verb, resource). Thread-safe.</summary>
internal sealed class FaultInjector
{
    private readonly Lock gate = new();
    private readonly List<Failure> failures = [];
    private readonly List<Delay> delays = [];
    private readonly List<Failure> lostAnswers = [];

    public void FailNext(string verb, string resource, int times, int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        lock (gate)
        {
            failures.Add(new Failure(verb, resource, statusCode) { Remaining = times });
        }
    }

    public void DelayNext(string verb, string resource, TimeSpan delay)
    {
        lock (gate)
        {
            delays.Add(new Delay(verb, resource, delay));
        }
    }

    /// <summary>
    /// The next <paramref name="times"/> matching requests are performed, then their answer is lost: the connection is
    /// reset (<paramref name="stall"/> false) or held until the client gives up (true), as after a network fault or a timeout.
    /// </summary>
    public void LoseAnswerNext(string verb, string resource, int times, bool stall)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (gate)
        {
            lostAnswers.Add(new Failure(verb, resource, stall ? 1 : 0) { Remaining = times });
        }
    }

    /// <summary>Whether the answer to <paramref name="request"/> (already performed) is lost, and how; consumes one.</summary>
    public (bool Lost, bool Stall) TakeLostAnswer(RecordedRequest request)
    {
        lock (gate)
        {
            var lost = lostAnswers.FirstOrDefault(f => request.Is(f.Verb, f.Resource));
            if (lost is null)
            {
                return (false, false);
            }

            if (--lost.Remaining == 0)
            {
                lostAnswers.Remove(lost);
            }

            return (true, lost.StatusCode == 1);
        }
    }

    /// <summary>The status code to fail <paramref name="request"/> with, consuming one queued failure; null to handle it.</summary>
    public int? TakeFailure(RecordedRequest request)
    {
        lock (gate)
        {
            var failure = failures.FirstOrDefault(f => request.Is(f.Verb, f.Resource));
            if (failure is null)
            {
                return null;
            }

            if (--failure.Remaining == 0)
            {
                failures.Remove(failure);
            }

            return failure.StatusCode;
        }
    }

    /// <summary>Waits (real time) for a queued delay matching <paramref name="request"/>, consuming it.</summary>
    public Task DelayAsync(RecordedRequest request, CancellationToken cancellationToken)
    {
        Delay? delay;
        lock (gate)
        {
            delay = delays.FirstOrDefault(d => request.Is(d.Verb, d.Resource));
            if (delay is not null)
            {
                delays.Remove(delay);
            }
        }

        return delay is null ? Task.CompletedTask : Task.Delay(delay.Duration, cancellationToken);
    }

    private sealed class Failure(string verb, string resource, int statusCode)
    {
        public string Verb { get; } = verb;

        public string Resource { get; } = resource;

        public int StatusCode { get; } = statusCode;

        public int Remaining { get; set; }
    }

    private sealed record Delay(string Verb, string Resource, TimeSpan Duration);
}
