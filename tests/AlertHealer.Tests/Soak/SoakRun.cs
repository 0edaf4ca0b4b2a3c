using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Soak;

// One seeded run: the fake cluster behind the fault proxy, the real service as a process on
// its store, the driver for Settings.Drive, then settling (faults off, the service finishes
// its work), then the invariants over everything observed. A watchdog fails a run that hangs.
public static class SoakRun
{
    public static Task<SoakReport> RunAsync(SoakSettings settings)
    {
        var directory = settings.KeepDirectory ?? Directory.CreateTempSubdirectory("alerthealer-soak-").FullName;
        Directory.CreateDirectory(directory);
        var run = new SoakRunState(settings, directory);
        return GuardAsync(run, RunAsync(settings, run));
    }

    // The run under its watchdog: on a hang, the processes are killed, the event log is written and
    // the failure tells where the run stood.
    public static async Task<SoakReport> GuardAsync(SoakRunState run, Task<SoakReport> work)
    {
        var watchdog = new SoakWatchdog(run.Settings.Drive + run.Settings.SettleLimit + run.Settings.WatchdogMargin,
            () => SoakWatchdog.ServiceDown(run.Services), () => SoakWatchdog.Describe(run.Settings, run.Log, run.Services, run.Progress));
        try
        {
            return await watchdog.GuardAsync(work);
        }
        catch (SoakHungException e)
        {
            foreach (var service in run.Services) await service.DisposeAsync();
            var logPath = Path.Combine(run.Directory, "events.log");
            run.Log.WriteTo(logPath);
            throw new SoakHungException($"{e.Message}\nevent log: {logPath}");
        }
    }

    private static async Task<SoakReport> RunAsync(SoakSettings settings, SoakRunState run)
    {
        await Task.Yield();
        var directory = run.Directory;
        var log = run.Log;
        // One stream per actor, so one's draws never shift another's.
        var random = new SeededRandom(settings.Seed);
        // The proxy draws from its own stream, so the driver's choices do not shift its faults.
        var plan = new FaultPlan(settings.Seed ^ 0x5eed, settings.CallTimeout) { Enabled = settings.Faults };
        var store = await SoakStores.CreateAsync(directory, settings);
        await using var ownStore = store as IAsyncDisposable;

        await using var cluster = await SoakCluster.StartAsync(log);
        await using var proxy = await FaultProxy.StartAsync(cluster.Kube.BaseAddress, plan, log);
        var environment = settings.AppSettings(Kubeconfig.Write(directory, proxy.BaseAddress, cluster.Kube.ClientToken));
        foreach (var (key, value) in store.Settings) environment[key] = value;

        var responses = new ResponseLog();
        await using var service = new SoakService(environment, log, Path.Combine(directory, "service.status"));
        run.Services = [service];
        using var sender = new AlertSender(() => service.BaseAddress, log, responses);
        using var watcher = new AuditWatcher(() => service.BaseAddress, log, responses);
        var kills = new KillSwitch(service, new SeededRandom(settings.Seed + 1), log);
        using var driver = new SoakDriver(random, new SeededRandom(settings.Seed + 2), cluster, store, service, sender, kills, log, settings.Faults);
        proxy.Hook = async (exchange, stage) =>
        {
            await kills.OnProxyAsync(exchange, stage);
            await driver.OnProxyAsync(exchange, stage);
        };
        sender.AfterAck = kills.OnAckAsync;
        service.OnLine = driver.OnServiceLine;
        run.Progress = () => $"phase {run.Phase}; {driver.OpenDeliveries} deliveries open; inbox depth {watcher.InboxDepth?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}; {driver.Incidents.Count} incidents";

        // The event log is written whatever happens: it is what explains a harness failure too.
        var logPath = Path.Combine(directory, "events.log");
        SoakObservations observations;
        IReadOnlyList<Violation> violations;
        try
        {
            log.Add("driver", $"seed {settings.Seed}, {settings.Drive.TotalSeconds:F0}s of {(settings.Faults ? "faults" : "calm (no injected faults)")}, store {store.Describe()}, API server {cluster.Kube.BaseAddress} behind proxy {proxy.BaseAddress}");
            await service.StartAsync();
            using (var stopWatching = new CancellationTokenSource())
            {
                var watching = watcher.RunAsync(TimeSpan.FromSeconds(1.5), stopWatching.Token);
                run.Phase = "driving";
                await driver.DriveAsync(settings.Drive);
                await stopWatching.CancelAsync();
                await watching;
            }

            log.Add("driver", "faults off; settling");
            run.Phase = "stopping faults";
            plan.Enabled = false;
            await driver.StopFaultsAsync();
            run.Phase = "settling";
            var settled = await SettleAsync(settings, driver, watcher);
            run.Phase = "checking";
            log.Add("driver", settled ? "settled" : $"not settled after {settings.SettleLimit.TotalSeconds:F0}s (inbox depth {watcher.InboxDepth}, {driver.OpenDeliveries} deliveries open)");
            await driver.AbandonDeliveriesAsync();
            await watcher.PollAsync();

            observations = new SoakObservations(
                settings, log, cluster, proxy.Exchanges, cluster.Kube.Requests, watcher.Latest, watcher.Problems, sender.Tallies,
                responses.All, watcher.InboxDepth, service.Starts, service.Kills, DateTimeOffset.UtcNow);
            violations = SoakInvariants.Check(observations);
        }
        finally
        {
            log.WriteTo(logPath);
        }
        var report = new SoakReport(settings, observations, driver.Incidents.Count, violations, directory, logPath);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.txt"), report.Explain());
        await service.DisposeAsync();
        if (violations.Count == 0 && settings.KeepDirectory is null) TryDelete(directory);
        return report;
    }

    // Done when every delivery is acknowledged, the inbox is empty and no verification is still
    // within its deadline; or when nothing moved for a while (something is stuck: the checks say what).
    public static async Task<bool> SettleAsync(SoakSettings settings, SoakDriver driver, AuditWatcher watcher)
    {
        var limit = DateTimeOffset.UtcNow + settings.SettleLimit;
        var (lastChange, lastState) = (DateTimeOffset.UtcNow, "");
        while (DateTimeOffset.UtcNow < limit)
        {
            await Task.Delay(500);
            var read = await watcher.PollAsync();
            var now = DateTimeOffset.UtcNow;
            var verifying = watcher.Latest.Count(e => e is { Outcome: Outcomes.Restarted, Verification: Verifications.Pending }
                && now - e.Time < settings.VerifyTimeout + TimeSpan.FromSeconds(3));
            if (read && driver.OpenDeliveries == 0 && watcher.InboxDepth == 0 && verifying == 0) return true;
            var state = $"{watcher.Latest.Count}/{watcher.InboxDepth}/{driver.OpenDeliveries}/{verifying}";
            if (state != lastState) (lastChange, lastState) = (now, state);
            else if (now - lastChange > TimeSpan.FromSeconds(8) && verifying == 0) return false;
        }
        return false;
    }

    public static void TryDelete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
