using AlertHealer.Health;
using AlertHealer.Metrics;
using Microsoft.Extensions.Options;

namespace AlertHealer.Policies;

// Polls the policy file's content hash: a ConfigMap update swaps the ..data symlink of its
// directory mount, which file-system events report unreliably. A changed file is checked as a
// start checks it; a good one replaces every policy at once, a bad one is refused and the
// running policies stay. Reported as Alertmanager and Prometheus report a reload.
public sealed class PolicyFileWatcher(
    PolicyFileLoader loader,
    PolicyCatalog catalog,
    HealerMetrics metrics,
    SelfEvents selfEvents,
    IOptions<HealerOptions> options,
    TimeProvider time,
    ILogger<PolicyFileWatcher> logger) : BackgroundService
{
    private string? _refusedHash;
    private string? _lastError;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ConfigReloaded(true, catalog.Current.LoadedAt);
        if (options.Value.PolicyFile is not { Length: > 0 } path) return;
        using var timer = new PeriodicTimer(options.Value.PolicyFilePollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await CheckAsync(path);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public async Task CheckAsync(string path)
    {
        var content = PolicyFileLoader.Read(path, out var readError);
        if (content is null)
        {
            await RefuseAsync(path, null, [readError!]);
            return;
        }
        var hash = PolicyFileLoader.HashOf(content);
        if (hash == catalog.Current.Hash || hash == _refusedHash) return;
        var load = loader.Load(content, path);
        if (load.Options is not { } applied)
        {
            await RefuseAsync(path, hash, load.Errors);
            return;
        }
        var now = time.GetUtcNow();
        var removed = catalog.Apply(PolicySet.From(applied.Policies, hash, now));
        _refusedHash = _lastError = null;
        metrics.PoliciesChanged(applied.Policies.Keys, removed);
        metrics.ConfigReloaded(true, now);
        logger.LogInformation("Policies reloaded from {PolicyFile} (hash {Hash}): {Policies}; removed: {Removed}",
            path, hash, string.Join(", ", applied.Policies.Keys.Order(StringComparer.Ordinal)), removed.Count == 0 ? "none" : string.Join(", ", removed));
    }

    private async Task RefuseAsync(string path, string? hash, IReadOnlyList<string> errors)
    {
        var error = string.Join("; ", errors);
        _refusedHash = hash;
        // Once per distinct failure (the file is polled every few seconds), before the status
        // changes, so whoever sees the failure can also find its log line and Event.
        if (error != _lastError)
        {
            _lastError = error;
            logger.LogError("Policy file {PolicyFile} was not applied, the running policies (hash {Hash}) stay: {Error}", path, catalog.Current.Hash, error);
            await selfEvents.WarnAsync("PolicyReloadFailed", "ReloadPolicies", $"{path} was not applied, the running policies stay: {error}");
        }
        catalog.Reject(error, time.GetUtcNow());
        metrics.ConfigReloaded(false, null);
    }
}
