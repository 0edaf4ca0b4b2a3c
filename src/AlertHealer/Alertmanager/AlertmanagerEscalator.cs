using AlertHealer.Metrics;
using AlertHealer.Policies;
using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Alertmanager;

// Escalations are alerts posted to Alertmanager with an endsAt an hour ahead. Alertmanager
// resolves an alert once its endsAt passes, so open escalations are kept in the store (with
// the audit log) and re-posted by RefreshAsync on every replica: a page outlives the process,
// or the replica, that raised it, and whoever is alive can end it. Several replicas posting the
// same alert is harmless: Alertmanager knows an alert by its labels and merges the posts into
// one alert (one notification). One that could not be sent is delivered by the next refresh.
// Never labelled remediation=...: an escalation must not route back to the healer.
public sealed class AlertmanagerEscalator(
    IAlertmanagerApi api,
    IStateStore state,
    IOptions<AlertmanagerOptions> options,
    HealerMetrics metrics,
    TimeProvider time,
    ILogger<AlertmanagerEscalator> logger) : IEscalator
{
    public const string AlertName = "AlertHealerEscalation";
    public const string CreatedBy = "alerthealer";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public async Task RaiseAsync(Escalation e, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        logger.LogWarning("Escalating to Alertmanager: policy {Policy}, reason {Reason}, target {Target}: {Summary}", e.Policy, e.Reason, e.Target, e.Summary);
        OpenEscalation open;
        try
        {
            // A repeated raise keeps the first startsAt and takes the newest text.
            open = await state.OpenEscalationAsync(e, now, ct);
        }
        catch (StoreUnavailableException ex)
        {
            // Paging now matters more: the page fires for an hour, and again if it is raised again.
            logger.LogError("The store could not keep escalation {Policy}/{Reason}; it is sent but not re-sent: {Error}", e.Policy, e.Reason, ex.Message);
            await PostAlertsAsync([ToAlert(new OpenEscalation(e, now), now + Lifetime)], ct);
            return;
        }
        await KeepFiringAsync([open], ct);
    }

    public async Task ResolveAsync(string policy, CancellationToken ct)
    {
        // Whoever raised them: this process before a restart, or another replica.
        var ending = await state.CloseEscalationsAsync(policy, ct);
        if (ending.Count == 0) return;
        logger.LogInformation("Resolving {Count} escalation(s) of policy {Policy}", ending.Count, policy);
        await EndAsync(ending, ct);
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        var open = await state.GetOpenEscalationsAsync(ct);
        if (open.Count == 0) return;
        await KeepFiringAsync(open, ct);
    }

    // Posts the pages an hour ahead, then reads the store again: a page another replica ended
    // while this post was on its way would fire for another hour, so it is ended once more.
    private async Task KeepFiringAsync(IReadOnlyList<OpenEscalation> open, CancellationToken ct)
    {
        await PostAlertsAsync([.. open.Select(o => ToAlert(o, time.GetUtcNow() + Lifetime))], ct);
        IReadOnlyList<OpenEscalation> still;
        try { still = await state.GetOpenEscalationsAsync(ct); }
        catch (StoreUnavailableException ex)
        {
            logger.LogWarning("The store could not be read after posting escalations; the next refresh looks again: {Error}", ex.Message);
            return;
        }
        var ended = open.Where(o => !still.Any(s => SameAlert(s.Escalation, o.Escalation))).ToList();
        if (ended.Count == 0) return;
        logger.LogInformation("{Count} escalation(s) were ended while being re-sent; ending them again", ended.Count);
        await EndAsync(ended, ct);
    }

    private Task EndAsync(IReadOnlyList<OpenEscalation> ending, CancellationToken ct) =>
        PostAlertsAsync([.. ending.Select(o => ToAlert(o, time.GetUtcNow()))], ct);

    private static bool SameAlert(Escalation a, Escalation b) => a.Policy == b.Policy && a.Reason == b.Reason && a.Target == b.Target;

    public async Task<string?> SilenceAsync(IReadOnlyDictionary<string, string> matchers, DateTimeOffset until, string comment, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (matchers.Count == 0 || until <= now)
        {
            logger.LogWarning("Not creating a silence with {Count} matcher(s) until {Until:O}: it needs matchers and an end in the future", matchers.Count, until);
            return null;
        }
        var silence = new PostableSilence(
            matchers.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new SilenceMatcher(m.Key, m.Value)).ToList(),
            now, until, CreatedBy, comment);
        var id = await CallAsync("post silence", async t => (await api.PostSilenceAsync(silence, t)).SilenceId, ct);
        if (id is not null) logger.LogInformation("Silence {SilenceId} until {Until:O}: {Comment}", id, until, comment);
        return id;
    }

    private PostableAlert ToAlert(OpenEscalation open, DateTimeOffset endsAt)
    {
        var e = open.Escalation;
        return new PostableAlert(
            new Dictionary<string, string>
            {
                ["alertname"] = AlertName,
                ["policy"] = e.Policy,
                ["reason"] = e.Reason,
                ["target"] = e.Target,
                ["severity"] = "critical",
            },
            new Dictionary<string, string> { ["summary"] = e.Summary, ["description"] = e.Description },
            open.StartsAt,
            endsAt,
            options.Value.ExternalUrl is { Length: > 0 } url ? url : null);
    }

    private async Task PostAlertsAsync(List<PostableAlert> alerts, CancellationToken ct) =>
        await CallAsync("post alerts", async t => { await api.PostAlertsAsync(alerts, t); return ""; }, ct);

    // Null when Alertmanager failed (logged and counted); caller cancellation still throws.
    private async Task<T?> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken ct) where T : class
    {
        var started = time.GetTimestamp();
        try
        {
            var result = await call(ct);
            metrics.DependencyCall("alertmanager", operation, time.GetElapsedTime(started), failed: false);
            return result;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            metrics.DependencyCall("alertmanager", operation, time.GetElapsedTime(started), failed: true);
            logger.LogWarning("Alertmanager {Operation} failed ({Error}); open escalations are re-sent every {Interval}",
                operation, AlertmanagerErrors.Describe(ex), EscalationRefresher.Interval);
            return null;
        }
    }
}
