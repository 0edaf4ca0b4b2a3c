using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Inbox;

// Decides stored alerts one at a time (InboxProcessor). An item survives a crash (it is
// re-claimed at start); transient Kubernetes faults put it back with backoff.
public sealed class InboxWorker(
    IInboxStore inbox,
    InboxSignal signal,
    InboxProcessor processor,
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
                await processor.ProcessAsync(item, waitingCaller: false, stoppingToken);
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
