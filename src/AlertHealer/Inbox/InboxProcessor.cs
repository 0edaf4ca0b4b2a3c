using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Metrics;
using AlertHealer.Remediation;
using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Inbox;

// What became of one attempt: a stored decision, or a DELETE sent and not yet confirmed (the
// item is put back and the intent is re-sent later), or a retry later with nothing sent, or
// nothing at all because the claim was lost (Fenced: another replica owns the item now).
public sealed record Processed(AuditEntry? Entry, DeleteIntent? Unconfirmed, string? Error, bool Fenced = false);

// Decides one claimed inbox item, for the worker and for a manual request alike. The DELETE's
// intent is stored before it is sent; the decision, its backoff and the incident's closing are
// stored in one transaction; a store fault after the DELETE is retried until the result is kept.
public sealed class InboxProcessor(
    IInboxStore inbox,
    RemediationEngine engine,
    IClusterClient cluster,
    RestartVerifier verifier,
    Escalations escalations,
    HealerMetrics metrics,
    IOptions<InboxOptions> options,
    TimeProvider time,
    ILogger<InboxProcessor> logger)
{
    // waitingCaller: a person waits for the answer, so a fault before any DELETE is recorded
    // failed at once instead of retried (they can ask again).
    public async Task<Processed> ProcessAsync(InboxItem item, bool waitingCaller, CancellationToken ct)
    {
        try
        {
            return await ClaimedAsync(item, waitingCaller, ct);
        }
        catch (ClaimLostException ex)
        {
            // Paused or cut off past the claim's expiry: the replica that took the item decides
            // it. This one leaves no entry, state, verification, escalation or Event for it, and
            // sends no DELETE beyond the recorded intent's.
            metrics.FencedWrite(ex.Write);
            logger.LogWarning("Inbox item {InboxId}: {Error}; this replica records nothing for it", item.Id, ex.Message);
            return new Processed(null, null, ex.Message, Fenced: true);
        }
    }

    // Every store write below is fenced by item.Claim; the cluster is touched only after the
    // write that allows it (the intent before the DELETE, the decision before its Event).
    private async Task<Processed> ClaimedAsync(InboxItem item, bool waitingCaller, CancellationToken ct)
    {
        var intent = item.Intent;
        var scope = new IntentScope(
            async i => { await inbox.RecordIntentAsync(item, i, ct); intent = i; },
            policy => inbox.UnconfirmedIntentAsync(policy, item.Id, ct));
        if (intent is null && item.Request.Automatic && await inbox.ConcludedByAsync(item.IncidentKey, ct) is { } decidedBy)
        {
            // Another item of this incident (on another replica) concluded it meanwhile.
            await PersistAsync(async () => { await inbox.CompleteAsDuplicateAsync(item, decidedBy, ct); return true; }, ct);
            logger.LogInformation("Inbox item {InboxId}: incident already decided by audit entry {AuditId}; counted as a re-send", item.Id, decidedBy);
            return new Processed(null, null, null);
        }
        RemediationResult result;
        try
        {
            result = await DecideAsync(item, waitingCaller, scope, ct);
        }
        catch (ClusterUnavailableException ex)
        {
            return await FaultAsync(item, intent, waitingCaller, ex, ct);
        }
        var stored = await PersistAsync(() => inbox.CompleteAsync(item, result.Entry, result.Policy?.Name, result.PolicyChange, ct), ct);
        metrics.Decision(stored.Policy, stored.Outcome);
        logger.LogInformation("Alert {AlertName} {Fingerprint} ({Trigger}): {Outcome}, audit entry {AuditId}",
            stored.Alert?.Name, stored.Alert?.Fingerprint, stored.Trigger, stored.Outcome, stored.Id);
        if (result.Restart is { } restart && result.Policy is { } policy) verifier.Start(stored.Id, policy, restart);
        await escalations.OnDecisionAsync(stored, result.Policy);
        return new Processed(stored, null, null);
    }

    private async Task<RemediationResult> DecideAsync(InboxItem item, bool waitingCaller, IntentScope scope, CancellationToken ct)
    {
        var request = item.Request;
        if (item.Intent is { } intent) return await engine.ResumeAsync(request, intent, item.LastError, ct);
        var now = time.GetUtcNow();
        if (!request.Automatic && !waitingCaller)
        {
            // The process stopped while a person waited, before any DELETE: they saw it fail.
            return RemediationResult.Unavailable(request, request.PolicyName is { } n ? engine.PolicyFor(n) : null,
                "interrupted before any DELETE was sent (the process stopped); nothing was deleted, ask again", "interrupted", now);
        }
        if (request.Alert is { Status: "firing" } alert && await inbox.SeenAsync(InboxAlert.ResolvedKey(alert), ct))
        {
            return RemediationResult.Cancelled(request, engine.PolicyFor(alert), now);
        }
        return await engine.ExecuteAsync(request, simulate: false, ct, scope);
    }

    private async Task<Processed> FaultAsync(InboxItem item, DeleteIntent? intent, bool waitingCaller, ClusterUnavailableException ex, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // Recording failed is the truth only when no DELETE may have landed unseen: none was sent,
        // or the API server refused the last one and the pod is still there. A refusal of the last
        // re-send says nothing of an earlier one whose answer was lost.
        var gaveUp = intent is null ? waitingCaller || now - item.ReceivedAt >= options.Value.RetryFor
            : ex.Answered && (waitingCaller || now - item.ReceivedAt >= options.Value.RetryFor) && await StillThereAsync(intent, ct);
        if (gaveUp)
        {
            var policy = item.Request.PolicyName is { } name ? engine.PolicyFor(name) : engine.PolicyFor(item.Alert);
            var error = (waitingCaller ? ex.Message : $"gave up after {item.Attempts} attempts over {options.Value.RetryFor}: {ex.Message}")
                + (intent is null ? "" : $"; the DELETE of pod {intent.Pod} (uid {intent.Uid}) was refused each time it was answered");
            var failed = RemediationResult.Unavailable(item.Request, policy, error, ex.Message, now);
            var stored = await PersistAsync(() => inbox.CompleteAsync(item, failed.Entry, ct: ct), ct);
            metrics.Decision(stored.Policy, stored.Outcome);
            await escalations.OnDecisionAsync(stored, policy);
            return new Processed(stored, null, ex.Message);
        }
        // A DELETE that may have landed unseen is not given up on: it is re-sent until Kubernetes answers.
        var delay = RetryDelay(item.Attempts);
        logger.LogWarning("Inbox item {InboxId} hit a transient fault, attempt {Attempt}{Intent}; retrying in {Delay}: {Error}",
            item.Id, item.Attempts, intent is null ? "" : $", DELETE of {intent.Pod} (uid {intent.Uid}) unconfirmed", delay, ex.Message);
        await PersistAsync(async () => { await inbox.RescheduleAsync(item, now + delay, ex.Message, ct); return true; }, ct);
        return new Processed(null, intent, ex.Message);
    }

    // No DELETE of the intent's pod has landed. Unknown (the API unreachable) counts as landed,
    // so the intent is re-sent rather than given up.
    private async Task<bool> StillThereAsync(DeleteIntent intent, CancellationToken ct)
    {
        try
        {
            return intent.NotLandedOn(await cluster.GetPodAsync(intent.Namespace, intent.Pod, ct));
        }
        catch (Exception e) when (e is ClusterUnavailableException or ClusterAccessDeniedException)
        {
            return false;
        }
    }

    // A store write that must happen (the cluster was already touched): retried until the store
    // takes it or the process stops, when the item is recovered at the next start.
    private async Task<T> PersistAsync<T>(Func<Task<T>> write, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await write(); }
            catch (StoreUnavailableException ex) when (!ct.IsCancellationRequested)
            {
                logger.LogError("The store could not keep a decision (attempt {Attempt}); retrying: {Error}", attempt, ex.Message);
                await Task.Delay(options.Value.RetryBaseDelay, time, ct);
            }
        }
    }

    // Exponential with full jitter, capped.
    private TimeSpan RetryDelay(int attempts)
    {
        var o = options.Value;
        var ceiling = Math.Min(o.RetryMaxDelay.TotalMilliseconds, o.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 16)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }
}
