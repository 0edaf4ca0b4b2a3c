namespace AlertHealer.Tests.Soak;

// Kills the service at a chosen kind of moment, once: now, right after an acknowledgement,
// during a decision, right after a DELETE went through (before the service hears of it), just
// after its answer (while the service records it), or during verification. The service is started again on the same store after a short pause,
// however many attempts that takes.
public sealed class KillSwitch(SoakService service, SeededRandom random, SoakLog log)
{
    private readonly Lock _gate = new();
    private readonly List<Task> _restarts = [];
    private (string Moment, Func<ProxyExchange?, ProxyStage?, bool> When, DateTimeOffset Until)? _armed;
    private DateTimeOffset _last = DateTimeOffset.MinValue;
    private bool _off;

    public bool Ready
    {
        get { lock (_gate) return !_off && _armed is null && DateTimeOffset.UtcNow - _last > TimeSpan.FromSeconds(8) && service.Running; }
    }

    public async Task ArmRandomAsync()
    {
        var roll = random.Next(100);
        if (roll < 15)
        {
            await FireAsync("at a random moment");
            return;
        }
        (string, Func<ProxyExchange?, ProxyStage?, bool>) trigger = roll switch
        {
            < 28 => ("right after an acknowledgement", (x, _) => x is null),
            < 42 => ("during a decision (a pod read)", (x, s) => s == ProxyStage.Received && x!.Request is { Resource: "pods", Verb: "get" or "list" }),
            < 65 => ("right after a DELETE went through, before its answer", (x, s) => s == ProxyStage.UpstreamAnswered && x!.IsSuccessfulDelete),
            < 82 => ("just after a DELETE was answered (the cooldown and audit writes)", (x, s) => s == ProxyStage.Answered && x!.IsSuccessfulDelete),
            _ => ("during verification (a watch opened)", (x, s) => s == ProxyStage.Received && x!.Request is { Resource: "pods", Verb: "watch" }),
        };
        lock (_gate) _armed = (trigger.Item1, trigger.Item2, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10));
        log.Add("driver", $"kill armed: {trigger.Item1}");
    }

    // Disarms a trigger that did not fire in time.
    public void Expire()
    {
        lock (_gate)
        {
            if (_armed is { } a && a.Until < DateTimeOffset.UtcNow)
            {
                _armed = null;
                log.Add("driver", $"kill disarmed (no moment {a.Moment} came)");
            }
        }
    }

    public Task OnProxyAsync(ProxyExchange exchange, ProxyStage stage) => TryFireAsync(exchange, stage);

    public Task OnAckAsync() => TryFireAsync(null, null);

    // No more kills; waits for pending restarts.
    public async Task StopAsync()
    {
        Task[] restarts;
        lock (_gate)
        {
            _off = true;
            _armed = null;
            restarts = [.. _restarts];
        }
        await Task.WhenAll(restarts);
    }

    private async Task TryFireAsync(ProxyExchange? exchange, ProxyStage? stage)
    {
        string moment;
        lock (_gate)
        {
            if (_armed is not { } a || !a.When(exchange, stage)) return;
            _armed = null;
            moment = a.Moment + (exchange is null ? "" : $" (request #{exchange.Id})");
        }
        // After an answer, a few milliseconds land the kill among the writes that follow it.
        if (stage == ProxyStage.Answered) await Task.Delay(random.Millis(0, 40));
        await FireAsync(moment);
    }

    private async Task FireAsync(string moment)
    {
        if (!await service.KillAsync(moment))
        {
            log.Add("driver", $"kill {moment} skipped: the service is not running");
            return;
        }
        var pause = random.Millis(300, 1500);
        lock (_gate)
        {
            _last = DateTimeOffset.UtcNow;
            _restarts.Add(RestartAfterAsync(pause));
        }
    }

    private async Task RestartAfterAsync(TimeSpan pause)
    {
        await Task.Delay(pause);
        await service.RestartAsync();
    }
}
