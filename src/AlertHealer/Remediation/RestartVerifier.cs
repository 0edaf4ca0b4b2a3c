using System.Collections.Concurrent;
using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Metrics;
using AlertHealer.Policies;

namespace AlertHealer.Remediation;

// After a delete, watches the target until a new pod (another uid) is Ready within
// VerifyTimeout: healed or not-healed. A not-healed restart counts towards needs-human.
public sealed class RestartVerifier(
    IClusterClient cluster,
    IAuditStore audit,
    IStateStore state,
    HealerMetrics metrics,
    TimeProvider time,
    ILogger<RestartVerifier> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private int _stopped;
    private readonly ConcurrentDictionary<long, Task> _running = new();

    public void Start(long auditId, Policy policy, PodAction deleted) =>
        _running[auditId] = Task.Run(() => VerifyAsync(auditId, policy, deleted));

    private async Task VerifyAsync(long auditId, Policy policy, PodAction deleted)
    {
        try
        {
            var target = policy.Options.Target;
            using var deadline = new CancellationTokenSource(policy.Options.VerifyTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stopping.Token);
            PodInfo? replacement;
            try
            {
                // WaitAsync as well: an idle watch may notice cancellation late, and neither the
                // deadline nor shutdown should wait for it.
                replacement = await cluster.WaitForReadyReplacementAsync(target.Namespace, target.Selector, deleted.Uid, linked.Token)
                    .WaitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                replacement = null;
            }
            if (_stopping.IsCancellationRequested) return;

            var (verification, detail) = replacement is not null
                ? (Verifications.Healed, $"replacement pod {replacement.Name} (uid {replacement.Uid}) is Ready")
                : (Verifications.NotHealed, $"no replacement pod became Ready within {policy.Options.VerifyTimeout}");
            await audit.SetVerificationAsync(auditId, verification, detail);
            metrics.Verified(policy.Name, verification);
            if (verification == Verifications.NotHealed)
            {
                var now = time.GetUtcNow();
                await state.UpdatePolicyAsync(policy.Name, s => s.ConsecutiveRestarts >= policy.Options.MaxAttempts
                    ? s with { LastUnhealthyAt = now, NeedsHuman = true, NeedsHumanSince = now, NeedsHumanReason = $"restart {s.ConsecutiveRestarts} in a row did not heal: {detail}" }
                    : s with { LastUnhealthyAt = now });
            }
            logger.LogInformation("Verification of audit entry {AuditId} for policy {Policy}: {Verification} ({Detail})", auditId, policy.Name, verification, detail);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Verification of audit entry {AuditId} failed", auditId);
        }
        finally
        {
            _running.TryRemove(auditId, out _);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may stop this service more than once (it is both a singleton and hosted).
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try { await _stopping.CancelAsync(); }
        catch (ObjectDisposedException) { return; }
        await Task.WhenAll(_running.Values).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();
}
