namespace AlertHealer.Storage;

// Starts the configured provider's own hosted services (schema migration, then the webhook's
// group commit) in order, and stops them in reverse. A store that cannot be reached at start
// (the database down, failing over, or refusing the login) does not stop the process: it stays
// up and not ready, tries again with back-off, and opens the StoreGate once the store is migrated.
public sealed class StorageStartup(IReadOnlyList<IHostedService> services, StoreGate gate, TimeProvider time, ILogger<StorageStartup> logger,
    Health.SelfEvents? events = null) : IHostedService, IDisposable
{
    public const string EventReason = "StoreUnreachable";

    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private int _started;
    private int _stopped;
    private Task _retrying = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartServicesAsync(cancellationToken);
            gate.Open();
        }
        catch (StoreUnavailableException ex)
        {
            var reason = StoreFaults.Summary(ex);
            gate.StillWaiting(reason);
            logger.LogWarning("Store not reachable at start (attempt 1; {Reason}); not ready, trying again in {Delay}: {Error}", reason, FirstRetry, ex.Message);
            _retrying = RetryAsync(reason, _stopping.Token);
        }
    }

    private async Task StartServicesAsync(CancellationToken ct)
    {
        // Migration is safe to run again; a service that started is not started twice.
        for (; _started < services.Count; _started++) await services[_started].StartAsync(ct);
    }

    private async Task RetryAsync(string firstReason, CancellationToken ct)
    {
        // Once per start, on this replica's own pod: `kubectl get events -n alerthealer` shows it.
        if (events is not null)
            await events.WarnAsync(EventReason, "Start", $"Started without its store ({firstReason}); not ready, trying again every few seconds. See /readyz and the log.");
        var delay = FirstRetry;
        for (var attempt = 2; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                // Jittered, so replicas that failed together do not knock together.
                await Task.Delay(delay * (0.8 + 0.4 * Random.Shared.NextDouble()), time, ct);
                await StartServicesAsync(ct);
                gate.Open();
                logger.LogInformation("Store reached on attempt {Attempt}; ready", attempt);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (StoreUnavailableException ex)
            {
                delay = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, delay.Ticks * 2));
                var reason = StoreFaults.Summary(ex);
                gate.StillWaiting(reason);
                logger.LogWarning("Store still not reachable (attempt {Attempt}; {Reason}); trying again in {Delay}: {Error}", attempt, reason, delay, ex.Message);
            }
            catch (Exception ex)
            {
                // Not a store fault: a bug, reported in full, and still not a silent stop.
                delay = MaxRetry;
                gate.StillWaiting("the store could not be started");
                logger.LogError(ex, "Starting the store failed (attempt {Attempt}); trying again in {Delay}", attempt, delay);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The test host may stop it again after the container disposed it.
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try { await _stopping.CancelAsync(); }
        catch (ObjectDisposedException) { return; }
        await _retrying.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        for (var i = Math.Min(_started, services.Count) - 1; i >= 0; i--) await services[i].StopAsync(cancellationToken);
    }

    public void Dispose() => _stopping.Dispose();
}
