using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Soak;

// One successful pod DELETE (the API server answered 200), and which incident asked for it.
public sealed record SuccessfulDelete(ProxyExchange Exchange, string Pod, string? Uid, int Generation)
{
    public DateTimeOffset At => Exchange.UpstreamAt ?? Exchange.Received;

    public string? Fingerprint { get; set; }

    // How the incident was found: by the restarted entry's uid, or from the service's own log.
    public string Attribution { get; set; } = "unattributed";

    public override string ToString() => $"pod {Pod} uid {Uid} at request #{Exchange.Id} (client: {Exchange.Outcome})";
}

// Everything the checks look at once the run settled.
public sealed partial record SoakObservations(
    SoakSettings Settings,
    SoakLog Log,
    SoakCluster Cluster,
    IReadOnlyList<ProxyExchange> Exchanges,
    IReadOnlyList<RecordedRequest> ApiRequests,
    IReadOnlyList<AuditEntry> Audit,
    IReadOnlyList<(DateTimeOffset At, string Problem)> AuditProblems,
    IReadOnlyDictionary<AlertKey, Tally> Tallies,
    IReadOnlyList<ServiceResponse> Responses,
    int? FinalInboxDepth,
    IReadOnlyList<(int Generation, DateTimeOffset At, int Pid)> Starts,
    IReadOnlyList<(int Generation, DateTimeOffset At, string Reason)> Kills,
    DateTimeOffset FinishedAt)
{
    public IReadOnlyList<AuditEntry> Restarts =>
        [.. Audit.Where(e => e is { Outcome: Outcomes.Restarted, DryRun: false, Action: not null }).OrderBy(e => e.Id)];

    public int GenerationAt(DateTimeOffset t) => Starts.LastOrDefault(s => s.At <= t).Generation;

    // With several replicas: which replica (the proxy's listener index) each generation ran as.
    public IReadOnlyDictionary<int, int> ReplicaOf { get; init; } = new Dictionary<int, int>();

    // With several replicas: the whole audit log as each one served it after settling (null: unreadable).
    public IReadOnlyList<(string Replica, IReadOnlyList<string>? Entries)> AuditByReplica { get; init; } = [];

    // With skewed clocks: when each audit entry was first read, on the soak's clock (an upper
    // bound of when it was written); empty when the entries' own times are the soak's clock.
    public IReadOnlyDictionary<long, DateTimeOffset> AuditFirstSeen { get; init; } = new Dictionary<long, DateTimeOffset>();

    // When an entry existed at the latest, on the soak's clock.
    public DateTimeOffset WrittenBy(AuditEntry e) => AuditFirstSeen.TryGetValue(e.Id, out var seen) ? seen : e.Time;

    // The Events the API server stored, when the run checks them.
    public IReadOnlyList<k8s.Models.Eventsv1Event>? Events { get; init; }

    // The generation of the given replica running at t.
    public int GenerationAt(DateTimeOffset t, int replica) =>
        Starts.LastOrDefault(s => s.At <= t && ReplicaOf.GetValueOrDefault(s.Generation) == replica).Generation;

    // Successful deletes in order, each attributed to an incident when it can be.
    public IReadOnlyList<SuccessfulDelete> Deletes()
    {
        var deletes = new List<SuccessfulDelete>();
        foreach (var x in Exchanges.Where(x => x.IsSuccessfulDelete).OrderBy(x => x.UpstreamAt))
        {
            var uid = x.PreconditionUid ?? DeletedUid(x.UpstreamBody);
            var delete = new SuccessfulDelete(x, x.Request.Name, uid, GenerationAt(x.Received, x.Replica));
            if (Restarts.FirstOrDefault(e => e.Action!.Uid == uid) is { } entry)
            {
                delete.Fingerprint = entry.Alert?.Fingerprint;
                delete.Attribution = $"restarted entry #{entry.Id}";
            }
            else
            {
                (delete.Fingerprint, delete.Attribution) = FromServiceLog(delete);
            }
            deletes.Add(delete);
        }
        return deletes;
    }

    // The worker decides one alert at a time, so the first thing it logs about an alert after a
    // delete is about the alert that asked for it: a retry or a recorded decision.
    private (string?, string) FromServiceLog(SuccessfulDelete delete)
    {
        var source = $"app{delete.Generation}";
        foreach (var e in Log.Snapshot().Where(e => e.At >= delete.At))
        {
            if (e.Source == "process" && e.Text.StartsWith($"SIGKILL service generation {delete.Generation} ", StringComparison.Ordinal))
                return (null, "unattributed: the service was killed before it logged which alert it was deciding");
            if (e.Source != source) continue;
            if (Retried().Match(e.Text) is { Success: true } retry)
                return (retry.Groups[1].Value, $"service log: \"{Trim(e.Text)}\"");
            if (Decided().Match(e.Text) is { Success: true } decided)
                return (decided.Groups[1].Value, $"service log: \"{Trim(e.Text)}\"");
            if (e.Text.Contains("Inbox worker failed", StringComparison.Ordinal))
                return (null, $"unattributed: the worker failed instead (\"{Trim(e.Text)}\")");
        }
        return (null, "unattributed: the service never logged the alert");
    }

    private static string Trim(string line)
    {
        var i = line.IndexOf("] ", StringComparison.Ordinal);
        var text = i >= 0 ? line[(i + 2)..] : line;
        return text.Length <= 200 ? text : text[..200] + "…";
    }

    private static string? DeletedUid(string? body)
    {
        if (body is null) return null;
        try { return JsonNode.Parse(body)?["metadata"]?["uid"]?.GetValue<string>(); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    [GeneratedRegex(@"Inbox item \d+ \(alert ([0-9a-f]+)\) hit a transient fault")]
    private static partial Regex Retried();

    [GeneratedRegex(@"Alert \S+ ([0-9a-f]+) \((?:firing|resolved)\): \S+, audit entry \d+")]
    private static partial Regex Decided();
}
