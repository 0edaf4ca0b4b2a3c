using AlertHealer.Alertmanager;
using AlertHealer.Audit;
using AlertHealer.Policies;
using Microsoft.Extensions.Options;

namespace AlertHealer.Remediation;

// Closes the loop into alerting: when the healer gives up or cannot tell, a person is paged
// through Alertmanager (AlertHealerEscalation); the page ends when the policy recovers.
// The same moments become Kubernetes Events about the deleted pod (RemediationEvents).
public sealed class Escalations(IEscalator escalator, IOptions<AlertmanagerOptions> alertmanager, RemediationEvents events, TimeProvider time)
{
    // Breaker escalations are about every policy at once.
    public const string AllPolicies = "all-policies";

    public async Task OnDecisionAsync(AuditEntry entry, Policy? policy)
    {
        events.OnDecision(entry);
        if (policy is null) return;
        var target = policy.TargetKey;
        switch (entry.Outcome)
        {
            case Outcomes.NeedsHuman when entry.Steps.Any(s => s.Name == "needs-human" && s.Result == "escalated"):
                await OnNeedsHumanAsync(policy, entry.Steps[^1].Detail);
                break;
            case Outcomes.BreakerOpen:
                await RaiseAsync(AllPolicies, EscalationReasons.BreakerOpen, "automatic remediations", entry.Steps[^1].Detail);
                break;
            case Outcomes.Failed:
                await RaiseAsync(policy.Name, EscalationReasons.RemediationFailed, target, entry.Error ?? "the remediation failed");
                break;
            case Outcomes.Resolved when entry.Steps.Any(s => s.Result == "needs-human-cleared"):
                await OnRecoveredAsync(policy.Name);
                break;
            case Outcomes.Restarted when alertmanager.Value.SilenceStaleAlerts && entry.Alert is { } alert && alert.Labels.ContainsKey("pod"):
                // The deleted pod's alert keeps firing for the rule's window; nobody needs to see it.
                await escalator.SilenceAsync(
                    alert.Labels.Where(l => l.Key is "alertname" or "namespace" or "pod").ToDictionary(),
                    time.GetUtcNow() + policy.Options.StaleAlertWindow,
                    $"AlertHealer restarted {alert.Labels["pod"]} (audit entry {entry.Id}); its alert is stale", CancellationToken.None);
                break;
        }
    }

    public Task OnIneffectiveAsync(Policy policy, string verification, string detail, long auditId)
    {
        events.OnDidNotStick(policy, verification, detail, auditId);
        return RaiseAsync(policy.Name, EscalationReasons.RestartIneffective, policy.TargetKey, $"restart {verification}: {detail}");
    }

    public Task OnNeedsHumanAsync(Policy policy, string detail)
    {
        events.OnNeedsHuman(policy, detail);
        return RaiseAsync(policy.Name, EscalationReasons.NeedsHuman, policy.TargetKey, detail);
    }

    public Task OnRecoveredAsync(string policy) => escalator.ResolveAsync(policy, CancellationToken.None);

    private Task RaiseAsync(string policy, string reason, string target, string detail) =>
        escalator.RaiseAsync(new Escalation(policy, reason, target,
            $"AlertHealer: {policy} {reason}",
            $"{detail}. AlertHealer will not fix this on its own; see docs/runbooks/whisker-backend-wedged.md."), CancellationToken.None);
}
