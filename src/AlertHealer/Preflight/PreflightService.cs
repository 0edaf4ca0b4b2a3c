using AlertHealer.Health;
using Microsoft.Extensions.Options;

namespace AlertHealer.Preflight;

// Runs the preflight at start and then every Interval. A failure changes what GET /policies, the
// metrics and the Events say; it never stops the webhook storing alerts nor a remediation.
public sealed class PreflightService(
    PreflightChecks checks,
    PreflightState state,
    SelfEvents events,
    IOptions<PreflightOptions> options,
    TimeProvider time,
    ILogger<PreflightService> logger) : BackgroundService
{
    public const string EventReason = "PreflightFailed";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Read here, not at registration, so configuration added by a host builder counts.
        if (!options.Value.Enabled)
        {
            logger.LogWarning("{Key} is false: missing permissions and empty selectors show only when a heal needs them",
                $"{PreflightOptions.Section}:Enabled");
            return;
        }
        var interval = options.Value.Interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A bug in a check must not end the loop; the next run tries again.
                logger.LogError(ex, "Preflight run failed; next run in {Interval}", interval);
                await Task.Delay(interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        var run = await checks.RunAsync(ct);
        var newlyFailed = state.Record(run);
        foreach (var failed in run.Checks.Where(c => !c.Ok))
            logger.LogWarning("Preflight: policy {Policy} cannot act: {Check} failed: {Reason}", failed.Policy, failed.Check, failed.Reason);
        if (run.Ok) logger.LogInformation("Preflight: {Count} checks passed", run.Checks.Count);

        // One Event when a check starts failing, not one per run while it stays failed.
        foreach (var (policy, failed) in newlyFailed)
        {
            // Checks that failed for the same reason (the reviews themselves refused, say) share one line.
            var list = string.Join("; ", failed.GroupBy(c => c.Reason).Select(g => $"{string.Join(", ", g.Select(c => c.Check))}: {g.Key}"));
            await events.WarnAsync(EventReason, "Preflight", $"policy {policy} cannot act: {list}");
        }
    }
}
