using AlertHealer.Audit;
using AlertHealer.Auth;
using AlertHealer.Heartbeat;
using AlertHealer.Inbox;
using AlertHealer.Metrics;
using AlertHealer.OpenApi;
using AlertHealer.Policies;
using AlertHealer.Security;
using AlertHealer.Storage;
using AlertHealer.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlertHealer.Webhooks;

public static class WebhookEndpoints
{
    // Every route under it receives deliveries from Alertmanager or Grafana.
    public const string Prefix = "/webhook";

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix)
            .WithTags("Webhooks")
            .RequireAuthorization(Roles.Webhook)
            .RequireRateLimiting(ManualRateLimit.WebhookPolicy)
            .ProducesRateLimitProblems()
            .ProducesTokenProblems();

        group.MapPost("/alertmanager", ReceiveAsync)
            .Validate<AlertmanagerWebhook>()
            .Accepts<AlertmanagerWebhook>("application/json")
            .WithBodyLimit(l => l.WebhookBodyBytes)
            .ProducesBodyProblems()
            .ProducesStoreProblems();
        return app;
    }

    // Stores every alert durably and acknowledges; the inbox worker decides later. Nothing
    // here waits for Kubernetes. If the store cannot write, 503 makes Alertmanager retry.
    private static async Task<Results<Ok<WebhookAck>, ProblemHttpResult>> ReceiveAsync(
        AlertmanagerWebhook payload, IInboxStore inbox, InboxSignal signal, PolicyCatalog policies, HealerMetrics metrics,
        DetectionHeartbeat heartbeat, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        // The detection heartbeat is state, not an incident: it never reaches the inbox.
        var beats = payload.Alerts!.Where(a => heartbeat.IsHeartbeat(a!)).Select(a => a!).ToList();
        var alerts = payload.Alerts!.Where(a => !heartbeat.IsHeartbeat(a!))
            .Select(a => ToRef(a!)).Select(a => InboxAlert.From(a, policies.Match(a.Labels) is not null)).ToList();
        IReadOnlyList<Enqueued> stored = [];
        try
        {
            await heartbeat.RecordAsync(payload, beats, ct);
            if (alerts.Count > 0) stored = await inbox.EnqueueAsync(alerts, time.GetUtcNow(), ct);
        }
        catch (StoreUnavailableException ex)
        {
            foreach (var a in alerts) metrics.AlertReceived(a.Alert.Status, "store-unavailable");
            http.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The alert could not be stored", detail: $"Nothing was accepted; retry later. {ex.Message}");
        }
        signal.Notify();
        foreach (var s in stored) metrics.AlertReceived(s.Status, s.Disposition == Disposition.Queued ? "queued" : "duplicate");
        metrics.WebhookHandled(time.GetElapsedTime(started));
        var items = stored.Select(s => new WebhookAckItem(s.Fingerprint, s.Status, s.Disposition == Disposition.Queued ? "queued" : "duplicate", s.InboxId))
            .Concat(beats.Select(b => new WebhookAckItem(b.Fingerprint!, b.Status!, "heartbeat", null))).ToList();
        return TypedResults.Ok(new WebhookAck(items.Count, items.Count(i => i.Disposition == "queued"), items.Count(i => i.Disposition == "duplicate"), items));
    }

    public static AlertRef ToRef(AlertmanagerAlert alert) => new(
        alert.Labels!["alertname"],
        alert.Fingerprint!,
        alert.StartsAt!.Value.ToUniversalTime(),
        alert.Status!,
        alert.Labels!);
}
