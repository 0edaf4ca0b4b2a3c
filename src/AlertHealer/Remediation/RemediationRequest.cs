using AlertHealer.Audit;
using AlertHealer.Policies;

namespace AlertHealer.Remediation;

public sealed record RemediationRequest(
    string Trigger,
    AlertRef? Alert,
    string? PolicyName = null,
    bool DryRun = false,
    string? Reason = null,
    Actor? Actor = null)
{
    public bool Automatic => Trigger == Triggers.Webhook;
}

// What the engine decided; the caller stores Entry together with PolicyChange (the restart's
// backoff) in one transaction, then starts verification of Restart.
public sealed record RemediationResult(AuditEntry Entry, Policy? Policy, PodAction? Restart, Func<PolicyState, PolicyState>? PolicyChange = null)
{
    // Kubernetes could not be reached for good: recorded failed, with the reason.
    public static RemediationResult Unavailable(RemediationRequest request, Policy? policy, string error, string fault, DateTimeOffset now) =>
        OneStep(request, policy, Outcomes.Failed, new DecisionStep("kubernetes", "unavailable", fault), error, now);

    // The alert resolved before this attempt sent any DELETE: nothing is done.
    public static RemediationResult Cancelled(RemediationRequest request, Policy? policy, DateTimeOffset now) =>
        OneStep(request, policy, Outcomes.AlertResolved,
            new DecisionStep("resolved", "cancelled", "the alert resolved before a DELETE was sent; nothing was deleted"), null, now);

    private static RemediationResult OneStep(RemediationRequest request, Policy? policy, string outcome, DecisionStep step, string? error, DateTimeOffset now) =>
        new(new AuditEntry
        {
            Time = now,
            Trigger = request.Trigger,
            Policy = policy?.Name,
            Alert = request.Alert,
            Actor = request.Actor,
            Reason = request.Reason,
            Outcome = outcome,
            Error = error,
            Steps = [step],
        }, policy, null);
}
