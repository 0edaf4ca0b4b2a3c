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

// What the engine decided; the caller stores Entry, then starts verification of Restart.
public sealed record RemediationResult(AuditEntry Entry, Policy? Policy, PodAction? Restart)
{
    // Kubernetes could not be reached for good: recorded failed, with the reason.
    public static RemediationResult Unavailable(RemediationRequest request, Policy? policy, string error, string fault, DateTimeOffset now) =>
        new(new AuditEntry
        {
            Time = now,
            Trigger = request.Trigger,
            Policy = policy?.Name,
            Alert = request.Alert,
            Actor = request.Actor,
            Reason = request.Reason,
            Outcome = Outcomes.Failed,
            Error = error,
            Steps = [new DecisionStep("kubernetes", "unavailable", fault)],
        }, policy, null);
}
