using System.Collections.Concurrent;
using AlertHealer.Metrics;
using Microsoft.Extensions.Options;

namespace AlertHealer.Alertmanager;

// Escalations are alerts posted to Alertmanager with an endsAt an hour ahead. Alertmanager
// resolves an alert once its endsAt passes, so open escalations are kept here and re-posted
// by RefreshAsync; one that could not be sent is delivered by the next refresh.
// Never labelled remediation=...: an escalation must not route back to the healer.
public sealed class AlertmanagerEscalator(
    IAlertmanagerApi api,
    IOptions<AlertmanagerOptions> options,
    HealerMetrics metrics,
    TimeProvider time,
    ILogger<AlertmanagerEscalator> logger) : IEscalator
{
    public const string AlertName = "AlertHealerEscalation";
    public const string CreatedBy = "alerthealer";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<(string Policy, string Reason, string Target), Open> _open = new();

    private sealed record Open(Escalation Escalation, DateTimeOffset StartsAt);

    public IReadOnlyList<Escalation> OpenEscalations => _open.Values.Select(o => o.Escalation).ToList();

    public async Task RaiseAsync(Escalation e, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // A repeated raise keeps the first startsAt and takes the newest text.
        var open = _open.AddOrUpdate((e.Policy, e.Reason, e.Target), _ => new Open(e, now), (_, old) => old with { Escalation = e });
        logger.LogWarning("Escalating to Alertmanager: policy {Policy}, reason {Reason}, target {Target}: {Summary}", e.Policy, e.Reason, e.Target, e.Summary);
        await PostAlertsAsync([ToAlert(open, now + Lifetime)], ct);
    }

    public async Task ResolveAsync(string policy, CancellationToken ct)
    {
        var ending = new List<Open>();
        foreach (var key in _open.Keys.Where(k => k.Policy == policy))
            if (_open.TryRemove(key, out var open)) ending.Add(open);
        if (ending.Count == 0) return;
        var now = time.GetUtcNow();
        logger.LogInformation("Resolving {Count} escalation(s) of policy {Policy}", ending.Count, policy);
        await PostAlertsAsync(ending.Select(o => ToAlert(o, now)).ToList(), ct);
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        var open = _open.Values.ToList();
        if (open.Count == 0) return;
        var endsAt = time.GetUtcNow() + Lifetime;
        await PostAlertsAsync(open.Select(o => ToAlert(o, endsAt)).ToList(), ct);
    }

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

    private PostableAlert ToAlert(Open open, DateTimeOffset endsAt)
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
