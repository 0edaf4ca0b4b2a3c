using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Metrics;
using AlertHealer.Remediation;
using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Inbox;

// Decides stored alerts one at a time. An item survives a crash (it is re-claimed at start);
// transient Kubernetes faults put it back with backoff until RetryFor, then it is recorded failed.
public sealed class InboxWorker(
    IInboxStore inbox,
    InboxSignal signal,
    RemediationEngine engine,
    RestartVerifier verifier,
    Escalations escalations,
    HealerMetrics metrics,
    IOptions<InboxOptions> options,
    TimeProvider time,
    ILogger<InboxWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WorkerEnabled)
        {
            logger.LogWarning("The inbox worker is disabled ({Key}=false): stored alerts are not acted on", $"{InboxOptions.Section}:WorkerEnabled");
            return;
        }
        await Task.Yield();
        var recovered = await inbox.RecoverAsync(stoppingToken);
        if (recovered > 0) logger.LogWarning("Recovered {Count} inbox items left unfinished by a previous run", recovered);

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var item = await inbox.ClaimNextAsync(time.GetUtcNow(), stoppingToken);
                if (item is null)
                {
                    await WaitForWorkAsync(stoppingToken);
                    continue;
                }
                await ProcessAsync(item, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The store itself failed; wait and try again rather than spin.
                logger.LogError(ex, "Inbox worker failed; retrying after the poll interval");
                await WaitForWorkAsync(stoppingToken);
            }
        }
    }

    private async Task ProcessAsync(InboxItem item, CancellationToken ct)
    {
        var request = new RemediationRequest(Triggers.Webhook, item.Alert);
        try
        {
            var result = await engine.ExecuteAsync(request, simulate: false, ct);
            var stored = await inbox.CompleteAsync(item, result.Entry, CancellationToken.None);
            Record(stored);
            if (result.Restart is { } restart && result.Policy is { } policy) verifier.Start(stored.Id, policy, restart);
            await escalations.OnDecisionAsync(stored, result.Policy);
        }
        catch (ClusterUnavailableException ex)
        {
            var now = time.GetUtcNow();
            if (now - item.ReceivedAt >= options.Value.RetryFor)
            {
                var policy = engine.PolicyFor(item.Alert);
                var failed = RemediationResult.Unavailable(request, policy,
                    $"gave up after {item.Attempts} attempts over {options.Value.RetryFor}: {ex.Message}", ex.Message, now);
                var stored = await inbox.CompleteAsync(item, failed.Entry, CancellationToken.None);
                Record(stored);
                await escalations.OnDecisionAsync(stored, policy);
                return;
            }
            var delay = RetryDelay(item.Attempts);
            logger.LogWarning("Inbox item {InboxId} (alert {Fingerprint}) hit a transient fault, attempt {Attempt}; retrying in {Delay}: {Error}",
                item.Id, item.Alert.Fingerprint, item.Attempts, delay, ex.Message);
            await inbox.RescheduleAsync(item, now + delay, ex.Message, CancellationToken.None);
        }
    }

    private void Record(AuditEntry stored)
    {
        metrics.Decision(stored.Policy, stored.Outcome);
        logger.LogInformation("Alert {AlertName} {Fingerprint} ({Status}): {Outcome}, audit entry {AuditId}",
            stored.Alert?.Name, stored.Alert?.Fingerprint, stored.Alert?.Status, stored.Outcome, stored.Id);
    }

    // Exponential with full jitter, capped.
    private TimeSpan RetryDelay(int attempts)
    {
        var o = options.Value;
        var ceiling = Math.Min(o.RetryMaxDelay.TotalMilliseconds, o.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 16)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private async Task WaitForWorkAsync(CancellationToken ct)
    {
        var (_, _, nextDue) = await SafeStatsAsync(ct);
        var wait = options.Value.PollInterval;
        if (nextDue is { } due && due - time.GetUtcNow() is var untilDue && untilDue < wait)
        {
            // Something is due already: look again now rather than arm a timer.
            if (untilDue <= TimeSpan.Zero) return;
            wait = untilDue;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(wait, time, linked.Token);
        var signalled = signal.WaitAsync(linked.Token);
        await Task.WhenAny(delay, signalled);
        await linked.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }

    private async Task<(int, DateTimeOffset?, DateTimeOffset?)> SafeStatsAsync(CancellationToken ct)
    {
        try { return await inbox.StatsAsync(ct); }
        catch (StoreUnavailableException) { return (0, null, null); }
    }
}
