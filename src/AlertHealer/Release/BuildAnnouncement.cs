using AlertHealer.Metrics;
using AlertHealer.Storage;
using Microsoft.Extensions.Options;

namespace AlertHealer.Release;

// Says which build starts, first in the log and in alerthealer_build_info, so a rollout that
// mixes two builds on one database is visible in both.
public sealed class BuildAnnouncement(HealerMetrics metrics, IOptions<StorageOptions> storage, ILogger<BuildAnnouncement> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var store = storage.Value.Provider.ToString().ToLowerInvariant();
        metrics.BuildInfo(BuildInfo.Version, BuildInfo.Revision, store);
        logger.LogInformation("AlertHealer {Version} (commit {Revision}) starting with the {Store} store", BuildInfo.Version, BuildInfo.Revision, store);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
