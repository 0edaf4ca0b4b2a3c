using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Inbox;

// Decides stored alerts one at a time (InboxProcessor). An item survives a crash (it is
// re-claimed at start); transient Kubernetes faults put it back with backoff.
public sealed class InboxWorker(
    IInboxStore inbox,
    StoreGate store,
    InboxSignal signal,
    InboxProcessor processor,
    InboxClaims claims,
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
        // A store not reached at start is waited for, not failed against in a loop.
        try { await store.WaitAsync(stoppingToken); }
        catch (OperationCanceledException) { return; }
        var recovered = false;
        var lastReclaim = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!recovered)
                {
                    // This replica's own items from before a restart; retried like any store fault.
                    if (await inbox.RecoverAsync(claims.Holder, stoppingToken) is > 0 and var count)
                        logger.LogWarning("Recovered {Count} inbox items left unfinished by a previous run", count);
                    recovered = true;
                }
                if (time.GetUtcNow() - lastReclaim >= options.Value.PollInterval)
                {
                    lastReclaim = time.GetUtcNow();
                    if (await inbox.ReclaimExpiredAsync(claims.Now(), claims.InHand, stoppingToken) is > 0 and var taken)
                        logger.LogWarning("Took back {Count} inbox items whose claim expired (a replica died, or a store fault stranded them)", taken);
                }
                var item = await inbox.ClaimNextAsync(claims.Now(), stoppingToken);
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
                // The store itself failed: back off even when items are due, or a store that
                // refuses every write (a full disk) would spin this loop.
                logger.LogError(ex, "Inbox worker failed; retrying in {Delay}", options.Value.RetryBaseDelay);
                await Task.Delay(options.Value.RetryBaseDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    // On shutdown the decision in hand gets ShutdownGrace to finish; one that does not is put
    // back (with its intent, if a DELETE was sent) for the next start or another replica.
    private async Task ProcessAsync(InboxItem item, CancellationToken stoppingToken)
    {
        using var grace = new CancellationTokenSource();
        await using var stopping = stoppingToken.Register(() => grace.CancelAfter(options.Value.ShutdownGrace));
        await using (claims.Keep(item))
        {
            try
            {
                await processor.ProcessAsync(item, waitingCaller: false, grace.Token);
            }
            catch (OperationCanceledException) when (grace.IsCancellationRequested)
            {
                logger.LogWarning("Shutting down: inbox item {InboxId} is put back unfinished", item.Id);
                try { await inbox.RescheduleAsync(item, time.GetUtcNow(), "released at shutdown", CancellationToken.None); }
                catch (ClaimLostException ex) { logger.LogWarning("{Error}; another replica has it", ex.Message); }
            }
        }
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
