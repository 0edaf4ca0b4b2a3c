using System.Globalization;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Soak;

// The service under test as a real process that the soak kills (SIGKILL) and starts again on
// the same store. Its output goes to the soak log; pid, address and generation go to a status file, for
// whoever samples the process from outside (benchmarks/soak.sh).
public sealed class SoakService(IReadOnlyDictionary<string, string?> environment, SoakLog log, string statusFile) : IAsyncDisposable
{
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly List<(int Generation, DateTimeOffset At, string Reason)> _kills = [];
    private readonly List<(int Generation, DateTimeOffset At, int Pid)> _starts = [];
    private AppProcess? _current;
    private int _generation;

    public Uri? BaseAddress => _current is { HasExited: false } c ? c.BaseAddress : null;

    public int? Pid => _current is { HasExited: false } c ? c.Id : null;

    public bool Running => _current is { HasExited: false };

    public int Generation => Volatile.Read(ref _generation);

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
            var generation = Interlocked.Increment(ref _generation);
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
            lock (_kills) _starts.Add((generation, launched, _current.Id));
            log.Add("process", $"service generation {generation} started: pid {_current.Id}, {_current.BaseAddress}");
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
            await process.KillAsync();
            lock (_kills) _kills.Add((generation, DateTimeOffset.UtcNow, reason));
            log.Add("process", $"SIGKILL service generation {generation} (pid {process.Id}): {reason}");
            return true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_current is not null) await _current.DisposeAsync();
            _current = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }
}
