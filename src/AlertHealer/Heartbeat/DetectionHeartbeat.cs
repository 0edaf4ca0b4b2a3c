using System.Globalization;
using AlertHealer.Policies;
using AlertHealer.Webhooks;
using Microsoft.Extensions.Options;

namespace AlertHealer.Heartbeat;

// Recognises the heartbeat among a webhook's alerts and keeps it as state: one row rewritten
// per delivery, never an audit entry or an inbox item.
public sealed class DetectionHeartbeat(IStateStore state, IOptions<HeartbeatOptions> options, TimeProvider time)
{
    public const string RuleGroupLabel = "rule_group";
    public const string FromAlertmanager = "alertmanager";
    public const string FromGrafana = "grafana";

    private readonly HeartbeatOptions _options = options.Value;

    public bool IsHeartbeat(AlertmanagerAlert alert) =>
        alert.Labels?.GetValueOrDefault("alertname") == _options.AlertName;

    // Only a firing heartbeat proves the path works: a resolved one is the ruler having stopped.
    public async Task RecordAsync(AlertmanagerWebhook payload, IReadOnlyList<AlertmanagerAlert> heartbeats, CancellationToken ct)
    {
        if (heartbeats.FirstOrDefault(a => a.StillFiring && a.Status == "firing") is not { } firing) return;
        var now = time.GetUtcNow();
        var sender = payload.FromGrafana ? FromGrafana : FromAlertmanager;
        var group = firing.Labels!.GetValueOrDefault(RuleGroupLabel);
        await state.UpdateDocumentAsync(HeartbeatState.Key, new HeartbeatState(),
            s => s with { LastSeenAt = now, Sender = sender, Receiver = payload.Receiver, RuleGroup = group }, ct);
    }

    public async Task<DetectionView> ViewAsync(CancellationToken ct) =>
        View(await state.GetDocumentAsync(HeartbeatState.Key, new HeartbeatState(), ct), time.GetUtcNow());

    // Sets or clears the stored stale mark; true only for the caller that changed it, so one
    // replica among several writes the transition's Event.
    public async Task<bool> MarkAsync(bool stale, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var changed = false;
        await state.UpdateDocumentAsync(HeartbeatState.Key, new HeartbeatState(), s =>
        {
            changed = stale == (s.StaleSince is null);
            return changed ? s with { StaleSince = stale ? now : null } : s;
        }, ct);
        return changed;
    }

    public DetectionView View(HeartbeatState s, DateTimeOffset now)
    {
        var limit = _options.Limit;
        if (s.LastSeenAt is not { } seen)
            return new DetectionView(DetectionView.Never, "detection path: no heartbeat has ever arrived", null, null, null, null, limit);
        var age = Math.Max(0, Math.Floor((now - seen).TotalSeconds));
        var status = age > limit.TotalSeconds ? DetectionView.Stale : DetectionView.Ok;
        var summary = string.Create(CultureInfo.InvariantCulture, $"detection path: last heartbeat {age:0} s ago");
        return new DetectionView(status, summary, seen, age, s.Sender, s.RuleGroup, limit);
    }
}
