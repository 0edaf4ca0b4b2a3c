namespace AlertHealer.Alertmanager;

// Re-posts open escalations well inside their one-hour endsAt, so they stay firing.
public sealed class EscalationRefresher(IEscalator escalator, TimeProvider time, ILogger<EscalationRefresher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (escalator is DisabledEscalator) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                await escalator.RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // RefreshAsync does not throw for Alertmanager faults; anything else must not end the loop.
                logger.LogError(ex, "Refreshing escalations failed");
            }
        }
    }
}
