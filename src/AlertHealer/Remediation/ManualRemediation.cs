using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Metrics;

namespace AlertHealer.Remediation;

// The operator's path: same engine and guards as the webhook path, decided while the caller waits.
public sealed class ManualRemediation(
    RemediationEngine engine,
    Policies.PolicyCatalog policies,
    IAuditStore audit,
    RestartVerifier verifier,
    Escalations escalations,
    HealerMetrics metrics,
    TimeProvider time)
{
    public async Task<AuditEntry> RunAsync(RemediationRequest request, CancellationToken ct)
    {
        RemediationResult result;
        try
        {
            result = await engine.ExecuteAsync(request, simulate: false, ct);
        }
        catch (ClusterUnavailableException ex)
        {
            // Not retried for a waiting caller: recorded failed, the operator can ask again.
            result = RemediationResult.Unavailable(request, request.PolicyName is { } name ? policies.Find(name) : null, ex.Message, ex.Message, time.GetUtcNow());
        }
        var stored = await audit.AddAsync(result.Entry, CancellationToken.None);
        metrics.Decision(stored.Policy, stored.Outcome);
        if (result.Restart is { } restart && result.Policy is { } policy) verifier.Start(stored.Id, policy, restart);
        await escalations.OnDecisionAsync(stored, result.Policy);
        return stored;
    }
}
