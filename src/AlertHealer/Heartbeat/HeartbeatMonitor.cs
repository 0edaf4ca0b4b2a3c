using AlertHealer.Health;
using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Heartbeat;

// Watches the stored heartbeat and says so when it goes stale or comes back: a Warning Event on
// this pod (once per silence, across replicas) and a log line; a Normal Event on recovery.
public sealed class HeartbeatMonitor(
    DetectionHeartbeat heartbeat,
    SelfEvents events,
    IOptions<HeartbeatOptions> options,
    TimeProvider time,
    ILogger<HeartbeatMonitor> logger) : BackgroundService
{
    public const string StaleReason = "AlertHealerDetectionHeartbeatStale";
    public const string RecoveredReason = "AlertHealerDetectionHeartbeatRecovered";

    private readonly TimeSpan _limit = options.Value.Limit;

    // Often enough that a stale path is reported within a few percent of the limit.
    private TimeSpan Period => TimeSpan.FromTicks(Math.Clamp(_limit.Ticks / 6, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute / 2));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A fresh install has had no chance to receive one yet: "never" is only reported as
        // stale once this process has waited as long as the limit.
        var started = time.GetUtcNow();
        // A periodic timer keeps its beat while a check is still running (a slow store or API
        // server): the next check follows at once instead of drifting a whole period.
        using var timer = new PeriodicTimer(Period, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await timer.WaitForNextTickAsync(stoppingToken)) break;
                await CheckAsync(started, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StoreUnavailableException ex)
            {
                logger.LogWarning("Could not read the detection heartbeat; trying again in {Period}: {Error}", Period, ex.Message);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Checking the detection heartbeat failed");
            }
        }
    }

    private async Task CheckAsync(DateTimeOffset started, CancellationToken ct)
    {
        var view = await heartbeat.ViewAsync(ct);
        var stale = view.Status == DetectionView.Stale || (view.Status == DetectionView.Never && time.GetUtcNow() - started >= _limit);
        if (!stale && view.Status == DetectionView.Never) return;
        if (!await heartbeat.MarkAsync(stale, ct)) return;
        if (stale)
        {
            var message = view.LastSeenAt is { } seen
                ? $"No detection heartbeat ({options.Value.AlertName}) since {seen:u} ({view.AgeSeconds:0} s, limit {_limit}): " +
                  "the Loki ruler, Alertmanager or the route to AlertHealer is not delivering, so wedge alerts would not arrive either."
                : $"No detection heartbeat ({options.Value.AlertName}) has ever arrived (limit {_limit}): the heartbeat rule or its " +
                  "Alertmanager route is not installed, or deliveries to AlertHealer are refused.";
            logger.LogWarning("Detection path stale: {Message}", message);
            await events.WarnAsync(StaleReason, "Watch", message);
        }
        else
        {
            var message = $"Detection heartbeat back: {view.Summary} (from {view.Sender}, rule group {view.RuleGroup ?? "unknown"}).";
            logger.LogInformation("Detection path recovered: {Message}", message);
            await events.NoteAsync(RecoveredReason, "Watch", message);
        }
    }
}
