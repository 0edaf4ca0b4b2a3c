using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Audit;

// Keeps the store bounded: every PruneInterval, deletes what is past retention in small
// batches, each its own short transaction, off the webhook's and the worker's path.
public sealed class AuditRetention(IAuditStore audit, StoreGate store, IOptions<RetentionOptions> options, TimeProvider time, ILogger<AuditRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        try { await store.WaitAsync(stoppingToken); }
        catch (OperationCanceledException) { return; }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PruneAsync(stoppingToken);
                await Task.Delay(o.PruneInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreUnavailableException ex)
            {
                logger.LogWarning("Pruning the audit store failed; next try in {Interval}: {Error}", o.PruneInterval, ex.Message);
                await Task.Delay(o.PruneInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public async Task<int> PruneAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var total = 0;
        while (!ct.IsCancellationRequested)
        {
            var deleted = await audit.PruneAsync(now - o.Retention, now - o.InboxKeepDone, o.PruneBatch, ct);
            total += deleted;
            if (deleted < o.PruneBatch) break;
            await Task.Yield();
        }
        if (total > 0) logger.LogInformation("Pruned {Rows} rows older than the retention ({Retention}) from the audit store", total, o.Retention);
        return total;
    }
}
