using AlertHealer.Audit;

namespace AlertHealer.Tests.Soak;

// Keys: what the violation is about (fingerprints, pod names), to pick its events from the log.
public sealed record Violation(string Invariant, DateTimeOffset At, string Detail, params string[] Keys);

// The promises, checked on what was observed. Every violation is listed, not just the first.
public static class SoakInvariants
{
    public const string OneDeletePerIncident = "at most one successful delete per incident";
    public const string DependencySettled = "no delete unless goldmane was Ready for MinReadyFor at decision time";
    public const string AckedIsDecided = "every acknowledged alert ends decided or counted as a duplicate";
    public const string AuditAppendOnly = "the audit log never loses, changes or duplicates an entry";
    public const string No500 = "no 5xx from any endpoint other than 503, and every 503 but /readyz's with Retry-After";
    public const string BreakerBudget = "automatic restarts per breaker window never exceed MaxRemediations";
    public const string UidPrecondition = "every DELETE carries the UID precondition";
    public const string DeleteHasEntry = "every successful delete has exactly one restarted entry, and each restarted entry one delete";
    public const string VerificationConcludes = "verification is never left pending after its deadline";
    public const string NoRestartAfterResolved = "no restart of an incident after its resolved notification was recorded";
    public const string CooldownBetweenDeletes = "deletes are at least Cooldown apart";
    public const string SameAuditEverywhere = "the audit log reads the same through every replica";
    public const string OneEventPerRestart = "no more than one AlertHealerRestarted Event per deleted pod";

    public static readonly string[] All =
    [
        OneDeletePerIncident, DeleteHasEntry, NoRestartAfterResolved, CooldownBetweenDeletes, DependencySettled, BreakerBudget,
        UidPrecondition, AckedIsDecided, AuditAppendOnly, VerificationConcludes, No500, SameAuditEverywhere, OneEventPerRestart,
    ];

    public static IReadOnlyList<Violation> Check(SoakObservations o)
    {
        var deletes = o.Deletes();
        return
        [
            .. OneDeletePer(o, deletes), .. EntryPerDelete(o, deletes), .. AfterResolved(o, deletes), .. Cooldown(o, deletes),
            .. Dependency(o, deletes), .. Breaker(o, deletes), .. Preconditions(o), .. Acknowledged(o), .. AuditLog(o),
            .. Verification(o), .. ServerErrors(o), .. SameAudit(o), .. EventPerRestart(o),
        ];
    }

    private static IEnumerable<Violation> OneDeletePer(SoakObservations o, IReadOnlyList<SuccessfulDelete> deletes)
    {
        foreach (var incident in deletes.Where(d => d.Fingerprint is not null).GroupBy(d => d.Fingerprint!).Where(g => g.Count() > 1))
        {
            var list = incident.ToList();
            yield return new(OneDeletePerIncident, list[1].At,
                $"incident {incident.Key}: {list.Count} successful deletes: " + string.Join("; then ", list.Select(d => $"{o.Log.Relative(d.At)} {d} [{d.Attribution}]")),
                [incident.Key, .. list.Select(d => d.Pod)]);
        }
    }

    private static IEnumerable<Violation> EntryPerDelete(SoakObservations o, IReadOnlyList<SuccessfulDelete> deletes)
    {
        foreach (var d in deletes)
        {
            var entries = o.Restarts.Where(e => e.Action!.Uid == d.Uid).ToList();
            if (entries.Count == 1) continue;
            var decided = d.Fingerprint is { } fp
                ? string.Join(", ", o.Audit.Where(e => e.Alert?.Fingerprint == fp).OrderBy(e => e.Id).Select(e => $"#{e.Id} {e.Outcome}"))
                : "";
            yield return new(DeleteHasEntry, d.At,
                $"{d} has {entries.Count} restarted entries; incident {d.Fingerprint ?? "?"} [{d.Attribution}]"
                + (decided.Length > 0 ? $"; its audit entries: {decided}" : "; no audit entry for it"), Keys(d));
        }
        foreach (var e in o.Restarts)
        {
            var count = deletes.Count(d => d.Uid == e.Action!.Uid);
            if (count != 1)
                yield return new(DeleteHasEntry, e.Time, $"restarted entry #{e.Id} (pod {e.Action!.Pod} uid {e.Action.Uid}) matches {count} successful deletes", e.Action.Pod);
        }
    }

    private static IEnumerable<Violation> AfterResolved(SoakObservations o, IReadOnlyList<SuccessfulDelete> deletes)
    {
        var resolved = o.Audit.Where(e => e.Outcome == Outcomes.Resolved && e.Alert is not null)
            .GroupBy(e => e.Alert!.Fingerprint).ToDictionary(g => g.Key, g => g.MinBy(e => e.Id)!);
        foreach (var d in deletes)
        {
            // The resolved entry's own time is its replica's clock; with skew, when it was first read.
            if (d.Fingerprint is { } fp && resolved.TryGetValue(fp, out var r) && d.At > o.WrittenBy(r))
                yield return new(NoRestartAfterResolved, d.At,
                    $"incident {fp}: {d} at {o.Log.Relative(d.At)}, after its resolved notification was recorded as #{r.Id} by {o.Log.Relative(o.WrittenBy(r))} [{d.Attribution}]", Keys(d));
        }
    }

    private static IEnumerable<Violation> Cooldown(SoakObservations o, IReadOnlyList<SuccessfulDelete> deletes)
    {
        var tolerance = TimeSpan.FromMilliseconds(50);
        for (var i = 1; i < deletes.Count; i++)
        {
            var gap = deletes[i].At - deletes[i - 1].At;
            if (gap < o.Settings.Cooldown - tolerance)
                yield return new(CooldownBetweenDeletes, deletes[i].At,
                    $"{deletes[i]} only {gap.TotalSeconds:F2}s after {deletes[i - 1]} (Cooldown {o.Settings.Cooldown.TotalSeconds}s): "
                    + $"incidents {deletes[i - 1].Fingerprint ?? "?"} then {deletes[i].Fingerprint ?? "?"}", [.. Keys(deletes[i - 1]), .. Keys(deletes[i])]);
        }
    }

    private static IEnumerable<Violation> Dependency(SoakObservations o, IReadOnlyList<SuccessfulDelete> deletes)
    {
        foreach (var d in deletes)
        {
            var started = o.Starts.LastOrDefault(s => s.Generation == d.Generation).At;
            // The decision's dependency read: the last goldmane list its process received whole before the delete.
            var read = o.Exchanges.LastOrDefault(x => x.Request is { Verb: "list", Resource: "pods" } && x.Request.LabelSelector?.Contains("goldmane", StringComparison.Ordinal) == true
                && x.Replica == d.Exchange.Replica && x.Delivered && x.UpstreamStatus == 200 && x.Received >= started && x.Received < d.Exchange.Received);
            if (read is null)
            {
                yield return new(DependencySettled, d.At, $"{d}: no goldmane read by the same process before it", Keys(d));
                continue;
            }
            if (!o.Cluster.GoldmaneSettledAt(read.Received, o.Settings.MinReadyFor))
            {
                var last = o.Cluster.GoldmaneHistory.LastOrDefault(h => h.At <= read.Received);
                yield return new(DependencySettled, d.At,
                    $"{d}: decided on goldmane read #{read.Id} at {o.Log.Relative(read.Received)}, when goldmane had been {(last.Ready ? "Ready" : "not Ready")} only since {o.Log.Relative(last.At)} (MinReadyFor {o.Settings.MinReadyFor.TotalSeconds}s)", Keys(d));
            }
        }
    }

    private static IEnumerable<Violation> Breaker(SoakObservations o, IReadOnlyList<SuccessfulDelete> deletes)
    {
        var window = o.Settings.BreakerWindow - TimeSpan.FromMilliseconds(50);
        var max = o.Settings.MaxRemediations;
        var audited = o.Restarts.Where(e => e.Trigger == Triggers.Webhook).Select(e => e.Time).Order().ToList();
        foreach (var v in Over(audited, window, max, "restarted entries")) yield return v;
        foreach (var v in Over([.. deletes.Select(d => d.At)], window, max, "successful deletes at the API server")) yield return v;
    }

    private static IEnumerable<Violation> Over(List<DateTimeOffset> times, TimeSpan window, int max, string what)
    {
        for (var i = 0; i + max < times.Count; i++)
        {
            if (times[i + max] - times[i] < window)
            {
                yield return new(BreakerBudget, times[i + max], $"{max + 1} {what} within {(times[i + max] - times[i]).TotalSeconds:F1}s (MaxRemediations {max} per {window.TotalSeconds:F0}s)");
                i += max;
            }
        }
    }

    private static IEnumerable<Violation> Preconditions(SoakObservations o)
    {
        foreach (var x in o.Exchanges.Where(x => x.IsPodDelete && string.IsNullOrEmpty(x.PreconditionUid)))
            yield return new(UidPrecondition, x.Received, $"request #{x.Id} {x.Request.Method} {x.Request.Path} has no UID precondition: {x.Request.Body}");
        foreach (var r in o.ApiRequests.Where(r => r is { Verb: "delete", Resource: "pods" } && !r.Body.Contains("\"uid\"", StringComparison.Ordinal)))
            yield return new(UidPrecondition, o.FinishedAt, $"the API server received DELETE {r.Path} without a UID precondition: {r.Body}");
    }

    private static IEnumerable<Violation> Acknowledged(SoakObservations o)
    {
        foreach (var (key, tally) in o.Tallies.OrderBy(t => t.Key.ToString(), StringComparer.Ordinal))
        {
            var entries = o.Audit.Where(e => e.Alert is { } a && a.Fingerprint == key.Fingerprint && a.Status == key.Status
                && Math.Abs((a.StartsAt - key.StartsAt).TotalMilliseconds) < 1).OrderBy(e => e.Id).ToList();
            var duplicates = entries.Sum(e => e.Duplicates);
            var seen = $"acknowledged {tally.Queued} queued + {tally.Duplicate} duplicate, {tally.Ambiguous} unanswered; audit: "
                + (entries.Count == 0 ? "nothing" : string.Join(", ", entries.Select(e => $"#{e.Id} {e.Outcome} (duplicates {e.Duplicates})")));
            // Told at the service's last word about the alert: that is where it went astray.
            var last = o.Log.Snapshot().LastOrDefault(e => e.Source.StartsWith("app", StringComparison.Ordinal) && e.Text.Contains(key.Fingerprint, StringComparison.Ordinal));
            // A delivery stored as a new item after its incident was decided (say, a retry after a 503 that lands
            // just after the decision) is counted as a re-send on that decision's entry, not decided twice.
            var folded = Math.Max(0, tally.Queued - entries.Count);
            if (tally.Queued > 0 && entries.Count == 0)
                yield return new(AckedIsDecided, last?.At ?? o.FinishedAt, $"{key}: {tally.Queued} acknowledged alert(s) never decided; {seen}", key.Fingerprint);
            else if (entries.Count > tally.Queued + tally.Ambiguous)
                yield return new(AckedIsDecided, entries[^1].Time, $"{key}: decided {entries.Count} times for {tally.Queued} stored alerts; {seen}", key.Fingerprint);
            if (entries.Count + duplicates < tally.Queued + tally.Duplicate)
                yield return new(AckedIsDecided, last?.At ?? o.FinishedAt,
                    $"{key}: {tally.Queued + tally.Duplicate - entries.Count - duplicates} acknowledged alert(s) neither decided nor counted; {seen}", key.Fingerprint);
            else if (duplicates > tally.Duplicate + folded + tally.Ambiguous)
                yield return new(AckedIsDecided, o.FinishedAt, $"{key}: {duplicates} duplicates counted for {tally.Duplicate} acknowledged; {seen}", key.Fingerprint);
        }
        if (o.FinalInboxDepth is not 0)
            yield return new(AckedIsDecided, o.FinishedAt, $"the inbox still holds {o.FinalInboxDepth?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "an unknown number of"} undecided alerts after settling");
    }

    private static string[] Keys(SuccessfulDelete d) => d.Fingerprint is { } fp ? [fp, d.Pod] : [d.Pod];

    private static IEnumerable<Violation> AuditLog(SoakObservations o) =>
        o.AuditProblems.Select(p => new Violation(AuditAppendOnly, p.At, p.Problem));

    private static IEnumerable<Violation> Verification(SoakObservations o)
    {
        var grace = TimeSpan.FromSeconds(3);
        foreach (var e in o.Restarts.Where(e => e.Verification == Verifications.Pending && o.FinishedAt - o.WrittenBy(e) > o.Settings.VerifyTimeout + grace))
            yield return new(VerificationConcludes, e.Time + o.Settings.VerifyTimeout,
                $"restarted entry #{e.Id} (pod {e.Action!.Pod}) still pending {(o.FinishedAt - e.Time).TotalSeconds:F0}s after the restart (VerifyTimeout {o.Settings.VerifyTimeout.TotalSeconds}s)", e.Action.Pod);
    }

    private static IEnumerable<Violation> ServerErrors(SoakObservations o) =>
        o.Responses.Where(r => r.Status >= 500 && (r.Status != 503 || !r.RetryAfter && r.Endpoint != "GET /readyz"))
            .Select(r => new Violation(No500, r.At, $"{r.Endpoint} answered {r.Status}{(r.Status == 503 ? " without Retry-After" : "")}: {r.Body}"));

    // Both replicas read one database: after settling, each serves the same entries in the same order.
    private static IEnumerable<Violation> SameAudit(SoakObservations o)
    {
        if (o.AuditByReplica.Count < 2) yield break;
        var (first, entries) = o.AuditByReplica[0];
        foreach (var (other, theirs) in o.AuditByReplica.Skip(1))
        {
            if (entries is null || theirs is null)
            {
                yield return new(SameAuditEverywhere, o.FinishedAt, $"the audit log could not be read through replica {(entries is null ? first : other)} after settling");
                continue;
            }
            if (entries.SequenceEqual(theirs)) continue;
            var at = Enumerable.Range(0, Math.Min(entries.Count, theirs.Count)).FirstOrDefault(i => entries[i] != theirs[i], Math.Min(entries.Count, theirs.Count));
            yield return new(SameAuditEverywhere, o.FinishedAt,
                $"replica {first} serves {entries.Count} entries, replica {other} {theirs.Count}; first difference at position {at}: "
                + $"{AlertSender.Excerpt(entries.ElementAtOrDefault(at) ?? "nothing")} vs {AlertSender.Excerpt(theirs.ElementAtOrDefault(at) ?? "nothing")}");
        }
    }

    // One restart is one Event: a replica that lost the incident to another must not announce it again.
    private static IEnumerable<Violation> EventPerRestart(SoakObservations o)
    {
        if (o.Events is null) yield break;
        foreach (var pod in o.Events.Where(e => e.Reason == AlertHealer.Remediation.EventReasons.Restarted)
            .GroupBy(e => (e.Regarding?.Name, e.Regarding?.Uid)).Where(g => g.Count() > 1))
        {
            var notes = pod.Select(e => $"\"{AlertSender.Excerpt(e.Note ?? "")}\"");
            yield return new(OneEventPerRestart, o.FinishedAt, $"pod {pod.Key.Name} uid {pod.Key.Uid}: {pod.Count()} AlertHealerRestarted Events: {string.Join("; ", notes)}", pod.Key.Name ?? "");
        }
    }
}
