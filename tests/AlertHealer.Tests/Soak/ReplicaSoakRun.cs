using System.Globalization;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using AlertHealer.Tests.Infrastructure.Postgres;

namespace AlertHealer.Tests.Soak;

// The seeded soak with two real processes on one PostgreSQL, as two replicas behind a Service:
// deliveries and reads go to either, each reaches the database through its own relay and the API
// server through its own proxy listener, each runs with its own clock offset. SoakDriver brings
// the alerts and the shared faults, ReplicaFaults the per-replica ones; the invariants are
// checked over both (every request tagged with its replica, generations numbered across both).
public static class ReplicaSoakRun
{
    public static Task<SoakReport> RunAsync(SoakSettings settings)
    {
        var directory = settings.KeepDirectory ?? Directory.CreateTempSubdirectory("alerthealer-soak2-").FullName;
        Directory.CreateDirectory(directory);
        var run = new SoakRunState(settings, directory);
        return SoakRun.GuardAsync(run, RunAsync(settings, run));
    }

    private static async Task<SoakReport> RunAsync(SoakSettings settings, SoakRunState run)
    {
        await Task.Yield();
        var (directory, log) = (run.Directory, run.Log);
        var random = new SeededRandom(settings.Seed);
        var plan = new FaultPlan(settings.Seed ^ 0x5eed, settings.CallTimeout) { Enabled = settings.Faults };
        await using var store = await PostgresSoakStore.StartAsync(settings.BusyTimeout);
        await using var cluster = await SoakCluster.StartAsync(log);
        await using var proxy = await FaultProxy.StartAsync(cluster.Kube.BaseAddress, plan, log, listeners: settings.Replicas);

        // Offsets from the seed: one replica on time, the other up to MaxClockSkew either way.
        var clocks = new SeededRandom(settings.Seed + 4);
        var generations = new SoakGenerations();
        var replicas = new List<SoakReplica>();
        await using var relays = new Relays();
        for (var i = 0; i < settings.Replicas; i++)
        {
            var name = ((char)('a' + i)).ToString();
            var relay = relays.Add(new TcpProxy(store.Port));
            // For whoever samples the replica from outside: its connections to PostgreSQL go to this port.
            await File.WriteAllTextAsync(Path.Combine(directory, $"service-{name}.pgport"), relay.Port.ToString(CultureInfo.InvariantCulture));
            var environment = settings.AppSettings(Kubeconfig.Write(Path.Combine(directory, name), proxy.BaseAddresses[i], cluster.Kube.ClientToken));
            foreach (var (key, value) in store.SettingsVia(relay.Port)) environment[key] = value;
            environment["AlertHealer__Kubernetes__Identity"] = $"alerthealer-soak-{name}";
            var offset = i == 0 || !settings.Faults ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Round(clocks.Between(-settings.MaxClockSkew, settings.MaxClockSkew).TotalSeconds));
            environment["ALERTHEALER_CLOCK_OFFSET"] = offset.ToString("c", CultureInfo.InvariantCulture);
            var service = new SoakService(environment, log, Path.Combine(directory, $"service-{name}.status"), name, generations);
            replicas.Add(new SoakReplica(i, service, relay, new KillSwitch(service, new SeededRandom(settings.Seed + 10 + i), log)));
            log.Add("driver", $"replica {name}: clock offset {offset.TotalSeconds:+0;-0;0}s, PostgreSQL through relay :{relay.Port}, API server through {proxy.BaseAddresses[i]}");
        }
        await using var services = new Services(replicas);
        run.Services = [.. replicas.Select(r => r.Service)];

        // As a Service spreads connections: each attempt to one of the running replicas.
        var spread = new SeededRandom(settings.Seed + 5);
        Uri? Target()
        {
            var up = replicas.Select(r => r.Service.BaseAddress).OfType<Uri>().ToList();
            return up.Count == 0 ? null : up[spread.Next(up.Count)];
        }

        var responses = new ResponseLog();
        using var sender = new AlertSender(Target, log, responses);
        using var watcher = new AuditWatcher(Target, log, responses);
        var first = replicas[0];
        using var driver = new SoakDriver(random, new SeededRandom(settings.Seed + 2), cluster, store, first.Service, sender, first.Kills, log, settings.Faults);
        var faults = new ReplicaFaults(replicas, proxy, new SeededRandom(settings.Seed + 3), log, settings);
        proxy.Hook = async (exchange, stage) =>
        {
            await replicas[exchange.Replica].Kills.OnProxyAsync(exchange, stage);
            await driver.OnProxyAsync(exchange, stage);
        };
        sender.AfterAck = async () =>
        {
            foreach (var r in replicas) await r.Kills.OnAckAsync();
        };
        foreach (var r in replicas) r.Service.OnLine = driver.OnServiceLine;
        run.Progress = () => $"phase {run.Phase}; {driver.OpenDeliveries} deliveries open; inbox depth {watcher.InboxDepth?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}; {driver.Incidents.Count} incidents; {faults.Injected} replica faults";

        var logPath = Path.Combine(directory, "events.log");
        SoakObservations observations;
        IReadOnlyList<Violation> violations;
        try
        {
            log.Add("driver", $"seed {settings.Seed}, {settings.Drive.TotalSeconds:F0}s of {(settings.Faults ? "faults" : "calm")}, {settings.Replicas} replicas on {store.Describe()}, API server {cluster.Kube.BaseAddress}");
            // As a Deployment does: a replica whose first start fails (the database slow to answer) is started again.
            foreach (var r in replicas) await r.Service.RestartAsync();
            using (var stopWatching = new CancellationTokenSource())
            {
                var watching = watcher.RunAsync(TimeSpan.FromSeconds(1.5), stopWatching.Token);
                run.Phase = "driving";
                var replicaFaults = settings.Faults ? faults.DriveAsync(settings.Drive) : Task.CompletedTask;
                await driver.DriveAsync(settings.Drive);
                await replicaFaults;
                await stopWatching.CancelAsync();
                await watching;
            }

            log.Add("driver", "faults off; settling");
            run.Phase = "stopping faults";
            plan.Enabled = false;
            await faults.StopAsync();
            await driver.StopFaultsAsync();
            run.Phase = "settling";
            // Long enough for what a replica paused or cut at the end left claimed to expire and be taken
            // over, and for two processes starting again on a loaded machine.
            var settled = await SoakRun.SettleAsync(settings with { SettleLimit = settings.SettleLimit * 2 + settings.ClaimDuration * 2 }, driver, watcher);
            log.Add("driver", settled ? "settled" : $"not settled (inbox depth {watcher.InboxDepth}, {driver.OpenDeliveries} deliveries open)");
            await driver.AbandonDeliveriesAsync();
            // A delivery acknowledged in the last moments is decided within seconds: wait for the inbox to empty.
            var drained = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
            while (!(await watcher.PollAsync() && watcher.InboxDepth == 0) && DateTimeOffset.UtcNow < drained) await Task.Delay(500);
            run.Phase = "checking";

            var byReplica = new List<(string, IReadOnlyList<string>?)>();
            foreach (var r in replicas)
                byReplica.Add((r.Name, r.Service.BaseAddress is { } address ? await watcher.RawAuditAsync(address) : null));
            var starts = replicas.SelectMany(r => r.Service.Starts).OrderBy(s => s.At).ToList();
            observations = new SoakObservations(
                settings, log, cluster, proxy.Exchanges, cluster.Kube.Requests, watcher.Latest, watcher.Problems, sender.Tallies,
                responses.All, watcher.InboxDepth, starts, [.. replicas.SelectMany(r => r.Service.Kills).OrderBy(k => k.At)], DateTimeOffset.UtcNow)
            {
                ReplicaOf = replicas.SelectMany(r => r.Service.Starts.Select(s => (s.Generation, r.Index))).ToDictionary(p => p.Generation, p => p.Index),
                AuditByReplica = byReplica,
                AuditFirstSeen = watcher.FirstSeen,
                Events = cluster.Kube.Events(""),
            };
            violations = SoakInvariants.Check(observations);
        }
        finally
        {
            log.WriteTo(logPath);
        }
        var report = new SoakReport(settings, observations, driver.Incidents.Count, violations, directory, logPath);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.txt"), report.Explain());
        await services.DisposeAsync();
        if (violations.Count == 0 && settings.KeepDirectory is null) SoakRun.TryDelete(directory);
        return report;
    }

    private sealed class Relays : IAsyncDisposable
    {
        private readonly List<TcpProxy> _all = [];

        public TcpProxy Add(TcpProxy relay)
        {
            _all.Add(relay);
            return relay;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var relay in _all) await relay.DisposeAsync();
        }
    }

    private sealed class Services(IReadOnlyList<SoakReplica> replicas) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var r in replicas) await r.Service.DisposeAsync();
        }
    }
}
