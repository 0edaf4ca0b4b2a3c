namespace AlertHealer.Storage;

// Starts the configured provider's own hosted services (schema migration, then the webhook's
// group commit) in order, and stops them in reverse.
public sealed class StorageStartup(IReadOnlyList<IHostedService> services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var service in services) await service.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var service in services.Reverse()) await service.StopAsync(cancellationToken);
    }
}
