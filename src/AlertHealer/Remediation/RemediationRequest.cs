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
public sealed record RemediationResult(AuditEntry Entry, Policy? Policy, PodAction? Restart);
