using System.Globalization;
using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Metrics;
using AlertHealer.Policies;

namespace AlertHealer.Remediation;

public static class EventReasons
{
    public const string Restarted = "AlertHealerRestarted";
    public const string NotHealed = "AlertHealerRestartNotHealed";
    public const string Ineffective = "AlertHealerRestartIneffective";
    public const string NeedsHuman = "AlertHealerNeedsHuman";
}

// Tells the cluster what the healer did, as Events about the pod it deleted: Normal for a
// restart, Warning when it did not stick or the policy needs a human. Fire and forget: the
// decision is already stored, and an Event that cannot be written is logged and counted.
public sealed class RemediationEvents(
    IPodEvents events,
    IAuditStore audit,
    HealerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<RemediationEvents> logger)
{
    public void OnDecision(AuditEntry entry)
    {
        if (entry is not { Outcome: Outcomes.Restarted, Action: { DryRun: false } action }) return;
        Send(EventReasons.Restarted, _ => Task.FromResult<PodEventNote?>(new PodEventNote(
            action.Namespace, action.Pod, action.Uid, PodEventNote.Normal, EventReasons.Restarted, "Delete",
            $"Deleted by AlertHealer policy {entry.Policy} for {Cause(entry)}; audit {entry.Id}. " +
            $"Its controller recreates it; GET /audit/{entry.Id} tells whether the restart healed.")));
    }

    // About the restart the verifier judged (its audit entry).
    public void OnDidNotStick(Policy policy, string verification, string detail, long auditId)
    {
        var reason = verification == Verifications.Ineffective ? EventReasons.Ineffective : EventReasons.NotHealed;
        Send(reason, async ct => await audit.GetAsync(auditId, ct) is { Action: { DryRun: false } } restart
            ? Note(restart, reason, "Verify", $"The restart by AlertHealer policy {policy.Name} for {Cause(restart)} was {verification}: {detail}; audit {restart.Id}.")
            : null);
    }

    public void OnNeedsHuman(Policy policy, string detail) =>
        Send(EventReasons.NeedsHuman, async ct => await LastRestartAsync(policy, _ => true, ct) is { } restart
            ? Note(restart, EventReasons.NeedsHuman, "Escalate",
                $"AlertHealer policy {policy.Name} needs a human and stops restarting {policy.TargetKey}: {detail}. " +
                $"Its last restart was this pod, audit {restart.Id}. POST /policies/{policy.Name}/reset once the cause is fixed.")
            : null);

    private async Task<AuditEntry?> LastRestartAsync(Policy policy, Func<AuditEntry, bool> match, CancellationToken ct)
    {
        var page = await audit.QueryAsync(new AuditQuery(null, null, policy.Name, Outcomes.Restarted, null, null, null, 50, null), ct);
        return page.Items.FirstOrDefault(e => e.Action is { DryRun: false } && match(e));
    }

    private static PodEventNote Note(AuditEntry restart, string reason, string action, string message) =>
        new(restart.Action!.Namespace, restart.Action.Pod, restart.Action.Uid, PodEventNote.Warning, reason, action, message);

    private static string Cause(AuditEntry entry) => entry.Alert is { } alert
        ? $"alert {alert.Name} fingerprint {alert.Fingerprint} (incident {alert.Fingerprint} started " +
          $"{alert.StartsAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)})"
        : $"a manual request by {entry.Actor?.Role} {entry.Actor?.Name}" + (entry.Reason is { Length: > 0 } why ? $" ({why})" : "");

    private void Send(string reason, Func<CancellationToken, Task<PodEventNote?>> prepare)
    {
        var stopping = lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            try
            {
                if (await prepare(stopping) is { } note) await events.RecordAsync(note, stopping);
                else logger.LogInformation("No restart found to attach Event {Reason} to", reason);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Shutting down.
            }
            catch (Exception ex)
            {
                metrics.EventFailed("lookup");
                logger.LogWarning(ex, "Could not prepare Event {Reason}; the remediation is not affected", reason);
            }
        }, CancellationToken.None);
    }
}
