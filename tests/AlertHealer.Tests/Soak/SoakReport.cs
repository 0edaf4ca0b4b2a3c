using System.Globalization;
using System.Text;
using AlertHealer.Audit;

namespace AlertHealer.Tests.Soak;

// What a run did and what it broke, written so a failure can be understood and replayed.
public sealed record SoakReport(
    SoakSettings Settings,
    SoakObservations Observed,
    int Incidents,
    IReadOnlyList<Violation> Violations,
    string Directory,
    string LogPath)
{
    public string Replay => string.Create(CultureInfo.InvariantCulture,
        $"{(Settings.Replicas > 1 ? $"REPLICAS={Settings.Replicas} " : "")}ALERTHEALER_SOAK_SEED={Settings.Seed} ALERTHEALER_SOAK_SECONDS={Settings.Drive.TotalSeconds:F0}{(Settings.Faults ? "" : " ALERTHEALER_SOAK_FAULTS=off")} bash benchmarks/soak.sh");

    public int SuccessfulDeletes => Observed.Exchanges.Count(x => x.IsSuccessfulDelete);

    public int AcknowledgedAlerts => Observed.Tallies.Values.Sum(t => t.Queued + t.Duplicate);

    public int InjectedFaults => Observed.Exchanges.Count(x => x.Fault != ProxyFault.None);

    public string Summary()
    {
        var faults = string.Join(", ", Observed.Exchanges.GroupBy(x => x.Fault).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
        var deleteFaults = string.Join(", ", Observed.Exchanges.Where(x => x.IsPodDelete).GroupBy(x => x.Fault).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
        var outcomes = string.Join(", ", Observed.Audit.GroupBy(e => e.Outcome).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
        var verifications = string.Join(", ", Observed.Restarts.GroupBy(e => e.Verification ?? "none").Select(g => $"{g.Key} {g.Count()}"));
        return string.Create(CultureInfo.InvariantCulture, $"""
            seed {Settings.Seed}, {Settings.Drive.TotalSeconds:F0}s of {(Settings.Faults ? "faults" : "calm (ALERTHEALER_SOAK_FAULTS=off)")}; replay: {Replay}
            {Incidents} incidents, {AcknowledgedAlerts} alerts acknowledged ({Observed.Tallies.Values.Sum(t => t.Ambiguous)} sends unanswered), final inbox depth {Observed.FinalInboxDepth?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}
            {Observed.Exchanges.Count} Kubernetes requests through the proxy: {faults}
            {Observed.Exchanges.Count(x => x.IsPodDelete)} DELETEs ({deleteFaults}), {SuccessfulDeletes} went through
            {Observed.Kills.Count} kills: {string.Join("; ", Observed.Kills.Select(k => k.Reason))}
            {Observed.Audit.Count} audit entries: {outcomes}; restarts' verification: {verifications}
            goldmane readiness changes: {Observed.Cluster.GoldmaneHistory.Count - 1}
            event log: {LogPath}
            """);
    }

    public string Explain()
    {
        var text = new StringBuilder();
        var broken = Violations.Select(v => v.Invariant).Distinct().ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"Soak seed {Settings.Seed}: {broken.Count} of {SoakInvariants.All.Length} invariants violated ({Violations.Count} violations).");
        text.AppendLine(Summary());
        foreach (var invariant in SoakInvariants.All)
        {
            var list = Violations.Where(v => v.Invariant == invariant).OrderBy(v => v.At).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"[{(list.Count == 0 ? "held" : $"VIOLATED x{list.Count}")}] {invariant}");
            foreach (var v in list) text.AppendLine(CultureInfo.InvariantCulture, $"    {Observed.Log.Relative(v.At)}  {v.Detail}");
        }
        text.AppendLine();
        text.AppendLine("Event sequence around each violation (driver: what the soak did; proxy: what happened to each Kubernetes request; appN: the service's log, generation N; audit: entries as they appeared):");
        foreach (var v in Violations.OrderBy(v => v.At))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"-- {Observed.Log.Relative(v.At)} [{v.Invariant}] {v.Detail}");
            foreach (var line in Observed.Log.Around(v.At, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2), 30, 10, e => Relevant(e, v))) text.AppendLine(line);
        }
        return text.ToString();
    }

    // What explains a violation: events naming what it is about, and everything that disturbed
    // the run (faults, kills, the cluster, the store, warnings); not other incidents' routine traffic.
    private static bool Relevant(SoakEvent e, Violation v)
    {
        if (v.Keys.Any(k => e.Text.Contains(k, StringComparison.Ordinal))) return true;
        return e.Source switch
        {
            "process" or "cluster" or "store" => true,
            "proxy" => !e.Text.Contains("fault=None", StringComparison.Ordinal) || e.Text.Contains("DELETE", StringComparison.Ordinal),
            _ when e.Source.StartsWith("app", StringComparison.Ordinal) => !e.Text.StartsWith("info:", StringComparison.Ordinal),
            "driver" => e.Text.StartsWith("kill", StringComparison.Ordinal),
            _ => false,
        };
    }
}
