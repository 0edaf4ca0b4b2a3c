using AlertHealer.Kubernetes;
using AlertHealer.Policies;
using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Remediation;

// With several replicas (a PostgreSQL store), each reads its policies' Leases every third of
// LeaseDuration, as client-go's candidates do: Lease expiry counts from the last change this
// replica saw, so a takeover after a holder dies starts counting at its last renewal, not at
// the first look.
public sealed class LeaseObserver(
    ITargetLease leases,
    PolicyCatalog policies,
    IOptions<KubernetesOptions> kubernetes,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<LeaseObserver> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.Provider != StorageProvider.Postgres) return;
        var every = kubernetes.Value.LeaseDuration / 3;
        try
        {
            while (true)
            {
                foreach (var policy in policies.All)
                {
                    try { await leases.ObserveAsync(RemediationEngine.LeaseName(policy), stoppingToken); }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        // Only the takeover after a dead holder waits longer; the next read may do.
                        logger.LogDebug("Could not read Lease {Lease}: {Error}", RemediationEngine.LeaseName(policy), ex.Message);
                    }
                }
                await Task.Delay(every, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
