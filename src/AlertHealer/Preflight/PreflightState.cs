using AlertHealer.Metrics;

namespace AlertHealer.Preflight;

// The last run of this replica, kept in memory: each replica checks with its own identity and its
// own connections, and a restart checks again at once.
public sealed class PreflightState(HealerMetrics metrics)
{
    private readonly Lock _gate = new();
    private PreflightRun? _last;

    public PreflightRun? Last
    {
        get { lock (_gate) return _last; }
    }

    public PreflightView? View(string policy)
    {
        var run = Last;
        if (run is null) return null;
        var failed = run.For(policy).Where(c => !c.Ok).ToList();
        return new PreflightView(failed.Count == 0 ? PreflightView.Ok : PreflightView.CannotAct, run.At, failed);
    }

    // Stores the run, sets alerthealer_preflight_ok, and returns per policy the checks that
    // have just started failing (failing now, passing or never run before).
    public IReadOnlyDictionary<string, IReadOnlyList<PreflightCheck>> Record(PreflightRun run)
    {
        PreflightRun? previous;
        lock (_gate)
        {
            previous = _last;
            _last = run;
        }
        foreach (var gone in previous?.Checks.Where(p => !run.Checks.Any(c => Same(c, p))) ?? [])
            metrics.PreflightOk.RemoveLabelled(gone.Policy, gone.Check);
        foreach (var check in run.Checks) metrics.PreflightOk.WithLabels(check.Policy, check.Check).Set(check.Ok ? 1 : 0);
        metrics.PreflightLastRun.Set(run.At.ToUnixTimeMilliseconds() / 1000.0);

        return run.Checks
            .Where(c => !c.Ok && previous?.Checks.FirstOrDefault(p => Same(c, p)) is not { Ok: false })
            .GroupBy(c => c.Policy)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<PreflightCheck>)g.ToList());
    }

    private static bool Same(PreflightCheck a, PreflightCheck b) => a.Policy == b.Policy && a.Check == b.Check;
}
