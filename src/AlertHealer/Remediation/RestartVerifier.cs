using System.Collections.Concurrent;
using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Loki;
using AlertHealer.Metrics;
using AlertHealer.Policies;

namespace AlertHealer.Remediation;

// After a delete, watches the target until a new pod (another uid) is Ready within
// VerifyTimeout: healed or not-healed. With a policy signal and VerifyAfter, the log signal
// is read again from the new pod: verified or ineffective. Not-healed and ineffective
// count towards needs-human and page a person.
public sealed class RestartVerifier(
    PolicyCatalog policies,
    IClusterClient cluster,
    ISignalCheck signals,
    Microsoft.Extensions.Options.IOptions<LokiOptions> loki,
    IAuditStore audit,
    IStateStore state,
    Escalations escalations,
    HealerMetrics metrics,
    Storage.StoreGate store,
    TimeProvider time,
    ILogger<RestartVerifier> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SweepGrace = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private int _stopped;
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private Task _sweeping = Task.CompletedTask;

    public void Start(long auditId, Policy policy, PodAction deleted) =>
        _running.GetOrAdd(auditId, _ => Task.Run(() => VerifyAsync(auditId, policy, deleted)));

    private async Task VerifyAsync(long auditId, Policy policy, PodAction deleted)
    {
        try
        {
            // A fault (Kubernetes or the store) is retried: a verification is never left pending.
            for (var attempt = 0; !_stopping.IsCancellationRequested; attempt++)
            {
                try
                {
                    await VerifyOnceAsync(auditId, policy, deleted);
                    return;
                }
                catch (Exception ex) when (ex is ClusterUnavailableException or Storage.StoreUnavailableException)
                {
                    logger.LogWarning("Verification of audit entry {AuditId} hit a fault, attempt {Attempt}: {Error}", auditId, attempt + 1, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(attempt, 5))), time, _stopping.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Resumed at the next start.
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

    private async Task VerifyOnceAsync(long auditId, Policy policy, PodAction deleted)
    {
        var replacement = await WaitForReplacementAsync(policy, deleted);
        if (_stopping.IsCancellationRequested) return;
        var (verification, detail) = replacement is null
            ? (Verifications.NotHealed, $"no replacement pod became Ready within {policy.Options.VerifyTimeout}")
            : await CheckSignalAsync(policy, replacement);
        if (_stopping.IsCancellationRequested) return;

        if (!await audit.SetVerificationAsync(auditId, verification, detail))
        {
            logger.LogInformation("Verification of audit entry {AuditId} was already settled, by another replica", auditId);
            return;
        }
        metrics.Verified(policy.Name, verification);
        logger.LogInformation("Verification of audit entry {AuditId} for policy {Policy}: {Verification} ({Detail})", auditId, policy.Name, verification, detail);
        if (verification is Verifications.NotHealed or Verifications.Ineffective) await DidNotStickAsync(auditId, policy, verification, detail);
        else if (!(await state.GetPolicyAsync(policy.Name)).NeedsHuman) await escalations.OnRecoveredAsync(policy.Name);
    }

    private async Task<PodInfo?> WaitForReplacementAsync(Policy policy, PodAction deleted)
    {
        var target = policy.Options.Target;
        // The deadline runs from the delete, so a verification resumed after a restart of this
        // process keeps it; one already past it gets a single look.
        var remaining = deleted.At + policy.Options.VerifyTimeout - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero) return await ReadyReplacementNowAsync(policy, deleted);
        using var deadline = new CancellationTokenSource(remaining, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stopping.Token);
        try
        {
            // WaitAsync as well: an idle watch may notice cancellation late, and neither the
            // deadline nor shutdown should wait for it.
            return await cluster.WaitForReadyReplacementAsync(target.Namespace, target.Selector, deleted.Uid, linked.Token)
                .WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            // The deadline may cut a read that would have shown the replacement (a takeover that
            // resumes just before it leaves almost no time): one whole look decides not-healed.
            return await ReadyReplacementNowAsync(policy, deleted);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task<PodInfo?> ReadyReplacementNowAsync(Policy policy, PodAction deleted)
    {
        var target = policy.Options.Target;
        var pods = await cluster.ListPodsAsync(target.Namespace, target.Selector, _stopping.Token);
        return pods.FirstOrDefault(p => p.Uid != deleted.Uid && p.Ready && !p.Terminating);
    }

    private async Task<(string, string)> CheckSignalAsync(Policy policy, PodInfo replacement)
    {
        var healed = $"replacement pod {replacement.Name} (uid {replacement.Uid}) is Ready";
        if (policy.Options.Signal is not { VerifyAfter: { } settle } signal || !loki.Value.Enabled) return (Verifications.Healed, healed);

        try { await Task.Delay(settle, time, _stopping.Token); }
        catch (OperationCanceledException) { return (Verifications.Healed, healed); }
        var reading = await signals.ReadAsync(signal, replacement.Namespace, replacement.Name, _stopping.Token);
        return reading.State switch
        {
            SignalState.Cleared => (Verifications.Verified, $"{healed}; {settle} later its log signal is {reading.Value}, below {signal.Threshold}"),
            SignalState.Present => (Verifications.Ineffective, $"{healed}, but {settle} later its log signal is {reading.Value}, at or above {signal.Threshold}"),
            _ => (Verifications.Healed, $"{healed}; the log re-check could not run: {reading.Detail}"),
        };
    }

    private async Task DidNotStickAsync(long auditId, Policy policy, string verification, string detail)
    {
        var now = time.GetUtcNow();
        // MaxAttempts as configured now: a reload may have changed it since the restart.
        var maxAttempts = (policies.Find(policy.Name) ?? policy).Options.MaxAttempts;
        var after = await state.UpdatePolicyAsync(policy.Name, s => s.ConsecutiveRestarts >= maxAttempts
            ? s with { LastUnhealthyAt = now, NeedsHuman = true, NeedsHumanSince = now, NeedsHumanReason = $"restart {s.ConsecutiveRestarts} in a row was {verification}: {detail}" }
            : s with { LastUnhealthyAt = now });
        await escalations.OnIneffectiveAsync(policy, verification, detail, auditId);
        if (after.NeedsHuman) await escalations.OnNeedsHumanAsync(policy, after.NeedsHumanReason ?? detail);
    }

    // Verifications a stopped process left pending are resumed (or settled, past their deadline),
    // at start and then every SweepInterval: a replica that dies while verifying leaves its
    // entries to the others. A restart gets SweepGrace first, for the replica that made it.
    // A store not reached at start is waited for; what was pending is resumed once it is.
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var resumed = store.IsOpen;
        if (resumed) await ResumePendingAsync(TimeSpan.Zero, cancellationToken);
        _sweeping = SweepAsync(resumed);
    }

    private async Task SweepAsync(bool resumed)
    {
        if (!resumed)
        {
            try
            {
                await store.WaitAsync(_stopping.Token);
                await ResumePendingAsync(TimeSpan.Zero, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { return; }
        }
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(SweepInterval, time, _stopping.Token);
                await ResumePendingAsync(SweepGrace, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
            catch (Exception ex)
            {
                logger.LogError(ex, "Looking for pending verifications failed; trying again");
            }
        }
    }

    private async Task ResumePendingAsync(TimeSpan grace, CancellationToken ct)
    {
        // Taken before the read: a verification that ends meanwhile is no longer pending.
        var running = _running.Keys.ToHashSet();
        try
        {
            var now = time.GetUtcNow();
            foreach (var entry in await audit.PendingVerificationsAsync(ct))
            {
                if (running.Contains(entry.Id) || entry.Action is { } done && now - done.At < grace) continue;
                if (entry.Action is not { } action || entry.Policy is not { } name || policies.Find(name) is not { } policy)
                {
                    await audit.SetVerificationAsync(entry.Id, Verifications.NotHealed, "the restart's policy or action is no longer known; not verified", ct);
                    continue;
                }
                logger.LogInformation("Resuming verification of audit entry {AuditId} (pod {Pod})", entry.Id, action.Pod);
                Start(entry.Id, policy, action);
            }
        }
        catch (Storage.StoreUnavailableException ex)
        {
            logger.LogError("Pending verifications could not be read: {Error}", ex.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may stop this service more than once (it is both a singleton and hosted).
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try { await _stopping.CancelAsync(); }
        catch (ObjectDisposedException) { return; }
        await Task.WhenAll([.. _running.Values, _sweeping]).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();
}
