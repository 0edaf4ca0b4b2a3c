using System.Globalization;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Soak;

// Numbers service generations across every replica of a run, so "appN" names one process.
public sealed class SoakGenerations
{
    private int _last;

    public int Next() => Interlocked.Increment(ref _last);
}

// The service under test as a real process that the soak kills (SIGKILL), pauses (SIGSTOP) and
// starts again on the same store. Its output goes to the soak log; pid, address and generation go
// to a status file, for whoever samples the process from outside (benchmarks/soak.sh). replica
// names it when a run has several ("a", "b"); generations are then numbered across all of them.
public sealed class SoakService(
    IReadOnlyDictionary<string, string?> environment,
    SoakLog log,
    string statusFile,
    string replica = "",
    SoakGenerations? generations = null) : IAsyncDisposable
{
    // However long a restart keeps failing, it gives up after this (the watchdog then says why).
    private static readonly TimeSpan RestartPatience = TimeSpan.FromMinutes(4);
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly List<(int Generation, DateTimeOffset At, string Reason)> _kills = [];
    private readonly List<(int Generation, DateTimeOffset At, int Pid)> _starts = [];
    private AppProcess? _current;
    private int _generation;
    private DateTimeOffset? _downSince;

    public Uri? BaseAddress => _current is { HasExited: false } c ? c.BaseAddress : null;

    public int? Pid => _current is { HasExited: false } c ? c.Id : null;

    public bool Running => _current is { HasExited: false };

    public int Generation => Volatile.Read(ref _generation);

    public string Replica => replica;

    // How long the service has been down (killed, or a start failed); null while it runs.
    public TimeSpan? DownFor
    {
        get { lock (_kills) return _downSince is { } since ? DateTimeOffset.UtcNow - since : null; }
    }

    private string Named => replica.Length == 0 ? "" : $", replica {replica}";

    // Sees every line the service writes (e.g. to react to a retry).
    public Action<string>? OnLine { get; set; }

    public IReadOnlyList<(int Generation, DateTimeOffset At, string Reason)> Kills
    {
        get { lock (_kills) return [.. _kills]; }
    }

    public IReadOnlyList<(int Generation, DateTimeOffset At, int Pid)> Starts
    {
        get { lock (_kills) return [.. _starts]; }
    }

    public async Task StartAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (Running) return;
            if (_current is not null) await _current.DisposeAsync();
            _current = null;
            var generation = generations?.Next() ?? _generation + 1;
            Volatile.Write(ref _generation, generation);
            var source = $"app{generation}";
            // The worker may call the API server before the process listens: a generation starts at launch.
            var launched = DateTimeOffset.UtcNow;
            _current = await AppProcess.StartAsync(environment, line =>
            {
                // Stack frames add nothing to the sequence; the exception's own line says what failed.
                if (line.StartsWith("   ", StringComparison.Ordinal) || line.Length == 0) return;
                log.Add(source, line);
                OnLine?.Invoke(line);
            });
            lock (_kills)
            {
                _starts.Add((generation, launched, _current.Id));
                _downSince = null;
            }
            log.Add("process", $"service generation {generation} started: pid {_current.Id}{Named}, {_current.BaseAddress}");
            await File.WriteAllTextAsync(statusFile, string.Create(CultureInfo.InvariantCulture, $"{_current.Id} {_current.BaseAddress} {generation}\n"));
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    // SIGKILL now. False when there was nothing to kill (not running, or a start is under way).
    public async Task<bool> KillAsync(string reason)
    {
        if (!await _lifecycle.WaitAsync(0)) return false;
        try
        {
            if (_current is not { HasExited: false } process) return false;
            var generation = Generation;
            try
            {
                await process.KillAsync();
            }
            catch (OperationCanceledException)
            {
                // SIGKILL was sent; the exit (or the end of its output) took longer than AppProcess waits.
                // Still a kill: the restart must follow, or the run goes on without a service.
                log.Add("process", $"generation {generation} (pid {process.Id}) not reaped within 10s of SIGKILL");
            }
            lock (_kills)
            {
                _kills.Add((generation, DateTimeOffset.UtcNow, reason));
                _downSince ??= DateTimeOffset.UtcNow;
            }
            log.Add("process", $"SIGKILL service generation {generation} (pid {process.Id}{Named}): {reason}");
            return true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    // Starts the service however many attempts it takes: a start that fails (the process exits or
    // never listens, e.g. its store is unreachable) is logged and tried again with back-off. A single
    // failed start used to leave the run without a service for good, with nothing said until the end.
    public async Task RestartAsync(CancellationToken stop = default)
    {
        var patience = DateTimeOffset.UtcNow + RestartPatience;
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException && DateTimeOffset.UtcNow < patience)
            {
                lock (_kills) _downSince ??= DateTimeOffset.UtcNow;
                log.Add("process", $"start{Named} failed (attempt {attempt}), again in {delay.TotalSeconds:F1}s: {Flatten(e.Message)}");
            }
            await Task.Delay(delay, stop);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    // SIGSTOP for a while, then SIGCONT: a long GC pause or a frozen node. The process keeps its
    // sockets; whatever it was doing resumes after its claims and the Lease expired. False when
    // there was nothing to pause (not running, or a start or kill under way).
    public async Task<bool> PauseAsync(TimeSpan duration, string reason)
    {
        if (!await _lifecycle.WaitAsync(0)) return false;
        try
        {
            if (_current is not { HasExited: false } process) return false;
            await SignalAsync("STOP", process.Id);
            log.Add("process", $"SIGSTOP service generation {Generation} (pid {process.Id}{Named}) for {duration.TotalSeconds:F1}s: {reason}");
            await Task.Delay(duration);
            await SignalAsync("CONT", process.Id);
            log.Add("process", $"SIGCONT service generation {Generation} (pid {process.Id}{Named})");
            return true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private static async Task SignalAsync(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    private static string Flatten(string message)
    {
        var line = string.Join(" | ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("at ", StringComparison.Ordinal)).Take(4));
        return line.Length <= 400 ? line : line[..400] + "…";
    }

    // Bounded: a run that ends because it hung must still get rid of its processes.
    public async ValueTask DisposeAsync()
    {
        var held = await _lifecycle.WaitAsync(TimeSpan.FromSeconds(15));
        try
        {
            if (_current is not null) await _current.DisposeAsync();
            _current = null;
        }
        finally
        {
            if (held) _lifecycle.Release();
        }
    }
}
