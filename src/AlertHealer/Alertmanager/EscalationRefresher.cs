using AlertHealer.Policies;
using AlertHealer.Storage;

namespace AlertHealer.Alertmanager;

// Re-posts what the store says is open, well inside the one-hour endsAt, so the pages stay
// firing. Runs on every replica: one that did not raise a page keeps it firing too.
public sealed class EscalationRefresher(IEscalator escalator, IStateStore state, StoreGate store, TimeProvider time, ILogger<EscalationRefresher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private bool _openAtStart;

    // Pages raised before this start (by this process before a restart, or by a replica that
    // stopped) may be close to their endsAt: they are re-posted at once rather than after an
    // interval. Read while starting, so what is re-posted is what was open before the app served.
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (escalator is not DisabledEscalator && !store.IsOpen)
        {
            // The store is not reached yet: what was open is refreshed as soon as it is.
            _openAtStart = true;
        }
        else if (escalator is not DisabledEscalator)
        {
            try
            {
                _openAtStart = (await state.GetOpenEscalationsAsync(cancellationToken)).Count > 0;
            }
            catch (StoreUnavailableException ex)
            {
                logger.LogWarning("Could not read open escalations at start; refreshing them now anyway: {Error}", ex.Message);
                _openAtStart = true;
            }
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (escalator is DisabledEscalator) return;
        try { await store.WaitAsync(stoppingToken); }
        catch (OperationCanceledException) { return; }
        var wait = _openAtStart ? TimeSpan.Zero : Interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, stoppingToken);
                wait = Interval;
                await escalator.RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StoreUnavailableException ex)
            {
                logger.LogWarning("Could not read open escalations; trying again in {Interval}: {Error}", Interval, ex.Message);
            }
            catch (Exception ex)
            {
                // RefreshAsync does not throw for Alertmanager faults; anything else must not end the loop.
                logger.LogError(ex, "Refreshing escalations failed");
            }
        }
    }
}
