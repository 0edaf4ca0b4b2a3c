using System.Security.Claims;
using AlertHealer.Audit;
using AlertHealer.Remediation;

namespace AlertHealer.Policies;

// Operator actions on a policy or the breaker: change the state, record who did it and why in
// the audit log, and end the page when the operator says the target is fixed.
public sealed class PolicyActions(PolicyCatalog catalog, IStateStore state, IAuditStore audit, Escalations escalations, TimeProvider time,
    Preflight.PreflightState preflight)
{
    public async Task<PolicyView?> ApplyAsync(string name, string outcome, string? reason, ClaimsPrincipal user, Func<PolicyState, PolicyState> change, CancellationToken ct)
    {
        if (catalog.Find(name) is not { } policy) return null;
        var updated = await state.UpdatePolicyAsync(policy.Name, change, ct);
        await RecordAsync(policy.Name, outcome, reason, user, $"{outcome} by {user.Identity?.Name}", ct);
        if (outcome == Outcomes.PolicyReset) await escalations.OnRecoveredAsync(policy.Name);
        return PolicyViews.View(policy, updated, time.GetUtcNow(), preflight.View(policy.Name));
    }

    public async Task CloseBreakerAsync(string? reason, ClaimsPrincipal user, CancellationToken ct)
    {
        await state.UpdateBreakerAsync(_ => new BreakerState { ClosedAt = time.GetUtcNow(), ClosedBy = user.Identity?.Name }, ct);
        await RecordAsync(null, Outcomes.BreakerClosed, reason, user, "automatic restarts before now no longer count", ct);
        await escalations.OnRecoveredAsync(Escalations.AllPolicies);
    }

    private Task<AuditEntry> RecordAsync(string? policy, string outcome, string? reason, ClaimsPrincipal user, string detail, CancellationToken ct) =>
        audit.AddAsync(new AuditEntry
        {
            Time = time.GetUtcNow(),
            Trigger = Triggers.Manual,
            Policy = policy,
            Actor = new Actor(user.FindFirstValue(ClaimTypes.Role) ?? "unknown", user.Identity?.Name ?? "unknown"),
            Reason = reason is { Length: > 500 } ? reason[..500] : reason,
            Outcome = outcome,
            Steps = [new DecisionStep("operator", outcome, detail)],
        }, ct);
}
