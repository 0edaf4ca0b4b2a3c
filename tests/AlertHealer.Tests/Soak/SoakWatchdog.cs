using System.Globalization;

namespace AlertHealer.Tests.Soak;

// A run that stopped making progress, with the state it was in when the watchdog gave up.
public sealed class SoakHungException(string message) : Exception(message);

// Fails a soak that hangs instead of letting it hold CI: the whole run has a deadline, and a probe
// names what is stuck (e.g. a service down for a minute: a kill was never followed by a start).
// The failure carries the run's state, so the hang can be understood without a debugger.
public sealed class SoakWatchdog(TimeSpan limit, Func<string?> stuck, Func<string> state, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public TimeSpan ProbeEvery { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<T> GuardAsync<T>(Task<T> work)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            if (await Task.WhenAny(work, Task.Delay(ProbeEvery, _time)) == work) return await work;
            var elapsed = _time.GetElapsedTime(started);
            var why = elapsed > limit
                ? string.Create(CultureInfo.InvariantCulture, $"the run took longer than its limit of {limit.TotalSeconds:F0}s")
                : stuck() is { } reason ? reason : null;
            if (why is null) continue;
            // The abandoned run may still fail later; nobody awaits it any more.
            _ = work.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw new SoakHungException(string.Create(CultureInfo.InvariantCulture,
                $"soak watchdog after {elapsed.TotalSeconds:F0}s: {why}\n{state()}"));
        }
    }

    // How long a service may stay down during a run before the run counts as hung: longer than a few
    // failed starts on a loaded machine (each can take Npgsql's 15 s connect timeout and more).
    public static readonly TimeSpan MaxDown = TimeSpan.FromSeconds(150);

    // The probe over a run's services.
    public static string? ServiceDown(IEnumerable<SoakService> services) =>
        services.FirstOrDefault(s => s.DownFor > MaxDown) is { } down
            ? string.Create(CultureInfo.InvariantCulture,
                $"service{(down.Replica.Length == 0 ? "" : $" replica {down.Replica}")} down for {down.DownFor!.Value.TotalSeconds:F0}s since generation {down.Generation} (more than {MaxDown.TotalSeconds:F0}s): it was never started again")
            : null;

    // What a hung run shows: where it stood and the last things that happened.
    public static string Describe(SoakSettings settings, SoakLog log, IEnumerable<SoakService> services, Func<string> progress)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"seed {settings.Seed}, {(DateTimeOffset.UtcNow - log.Origin).TotalSeconds:F0}s into the run; replay with ALERTHEALER_SOAK_SEED={settings.Seed}"),
        };
        foreach (var s in services)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"service{(s.Replica.Length == 0 ? "" : $" replica {s.Replica}")}: generation {s.Generation}, {(s.Running ? $"running (pid {s.Pid})" : $"down for {s.DownFor?.TotalSeconds ?? 0:F0}s")}, {s.Starts.Count} starts, {s.Kills.Count} kills"));
        lines.Add(progress());
        lines.Add("last events:");
        var events = log.Snapshot();
        lines.AddRange(events.Skip(Math.Max(0, events.Count - 40)).Select(e => e.Format(log.Origin)));
        return string.Join('\n', lines);
    }
}

// Where a run stands, for the watchdog: its services (once started) and what it is doing.
public sealed class SoakRunState(SoakSettings settings, string directory)
{
    public SoakSettings Settings { get; } = settings;
    public string Directory { get; } = directory;
    public SoakLog Log { get; } = new();
    public IReadOnlyList<SoakService> Services { get; set; } = [];
    public string Phase { get; set; } = "starting";
    public Func<string> Progress { get; set; } = () => "";
}
