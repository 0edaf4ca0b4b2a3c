using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Soak;

// What happens to the service during the run, one seeded step at a time: new incidents (some
// naming the pod), re-sends (also concurrent), resolved notifications, goldmane flapping, the
// ReplicaSet recreating whisker late or not at all, the store locked or full, process kills.
public sealed class SoakDriver(
    SeededRandom random,
    SoakCluster cluster,
    ISoakStore store,
    SoakService service,
    AlertSender sender,
    KillSwitch kills,
    SoakLog log) : IDisposable
{
    private readonly List<Incident> _incidents = [];
    private readonly List<Task> _faults = [];
    private readonly List<Task> _deliveries = [];
    private readonly Dictionary<Incident, List<Task>> _firing = [];
    private readonly HashSet<string> _whiskerNames = [Fixtures.WedgedPod];
    private readonly CancellationTokenSource _giveUp = new();
    private bool _flapping;
    private bool _storeFault;

    public IReadOnlyList<Incident> Incidents => _incidents;

    public async Task DriveAsync(TimeSpan duration)
    {
        var end = DateTimeOffset.UtcNow + duration;
        while (DateTimeOffset.UtcNow < end)
        {
            await Task.Delay(random.Millis(60, 350));
            kills.Expire();
            cluster.RipenWhisker(() => random.Millis(1000, 8000));
            foreach (var name in cluster.WhiskerPods()) _whiskerNames.Add(name);
            await StepAsync();
            _faults.RemoveAll(t => t.IsCompleted);
        }
    }

    // Faults end, the cluster is healthy, the service runs; deliveries still go on until acknowledged.
    public async Task StopFaultsAsync()
    {
        await kills.StopAsync();
        await Task.WhenAll(_faults);
        if (!service.Running) await service.StartAsync();
        if (!cluster.GoldmaneReady) cluster.SetGoldmane(true);
        cluster.Replacement = ReplacementPolicy.RecreateReady;
        if (cluster.WhiskerPods().Count == 0) cluster.AddWhisker(random.Hex(5));
        cluster.RipenWhisker(() => TimeSpan.Zero, now: true);
    }

    public int OpenDeliveries => sender.Open;

    // Deliveries never acknowledged by now are abandoned (Alertmanager gives up too).
    public async Task AbandonDeliveriesAsync()
    {
        await _giveUp.CancelAsync();
        await Task.WhenAll(_deliveries);
    }

    private async Task StepAsync()
    {
        // Per mille. Faults that last (flaps, store faults, kills) are rarer than alerts.
        var roll = random.Next(1000);
        switch (roll)
        {
            case < 180: Deliver(NewIncident(), "firing"); break;
            case < 220: DeliverPair(); break;
            case < 450: Resend(); break;
            case < 510: Resolve(); break;
            case < 540: ResendResolved(); break;
            case < 555: Flap(); break;
            case < 570: StoreFault(lockIt: true); break;
            case < 585: StoreFault(lockIt: false); break;
            case < 625: if (kills.Ready) await kills.ArmRandomAsync(); break;
            case < 645: ChangeReplacement(); break;
            default: break;
        }
    }

    private Incident NewIncident()
    {
        var roll = random.Next(100);
        var current = cluster.WhiskerPods();
        var stale = _whiskerNames.Except(current).ToList();
        string? pod = roll switch
        {
            < 50 when current.Count > 0 => current[random.Next(current.Count)],
            < 60 when stale.Count > 0 => stale[random.Next(stale.Count)],
            _ => null,
        };
        var incident = new Incident(random.Hex(16), DateTimeOffset.UtcNow - random.Between(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10)), pod);
        _incidents.Add(incident);
        log.Add("driver", $"new incident {incident}");
        return incident;
    }

    private void DeliverPair()
    {
        var (a, b) = (NewIncident(), NewIncident());
        Deliver([(a, "firing"), (b, "firing")]);
    }

    private void Resend()
    {
        var active = _incidents.Where(i => !i.Resolved).ToList();
        if (active.Count == 0) return;
        var incident = active[active.Count - 1 - random.Next(Math.Min(active.Count, 8))];
        var copies = 1 + random.Next(3);
        log.Add("driver", $"re-send {incident} x{copies}");
        for (var i = 0; i < copies; i++) Deliver(incident, "firing");
    }

    // Only once every firing delivery of the incident was acknowledged: Alertmanager sends a
    // group's notifications in order, so the resolved one never overtakes a firing one.
    private void Resolve()
    {
        var active = _incidents.Where(i => !i.Resolved && _firing.GetValueOrDefault(i)?.All(t => t.IsCompleted) != false).ToList();
        if (active.Count == 0) return;
        var incident = active[random.Next(active.Count)];
        incident.Resolved = true;
        log.Add("driver", $"resolve {incident}");
        Deliver(incident, "resolved");
    }

    private void ResendResolved()
    {
        var resolved = _incidents.Where(i => i.Resolved).ToList();
        if (resolved.Count == 0) return;
        var incident = resolved[random.Next(resolved.Count)];
        log.Add("driver", $"re-send resolved {incident}");
        Deliver(incident, "resolved");
    }

    private void Flap()
    {
        if (_flapping || !cluster.GoldmaneReady) return;
        _flapping = true;
        var down = random.Millis(1100, 4000);
        cluster.SetGoldmane(false);
        _faults.Add(Later(down, () =>
        {
            cluster.SetGoldmane(true);
            _flapping = false;
            return Task.CompletedTask;
        }));
    }

    private void StoreFault(bool lockIt)
    {
        if (_storeFault) return;
        var duration = random.Millis(500, 3000);
        var pid = service.Pid;
        if (!lockIt && pid is null) return;
        _storeFault = true;
        _faults.Add(Task.Run(async () =>
        {
            try
            {
                if (lockIt) await store.HoldLockAsync(duration, log, CancellationToken.None);
                else await store.RefuseWritesAsync(pid!.Value, duration, log, CancellationToken.None);
            }
            finally
            {
                _storeFault = false;
            }
        }));
    }

    private void ChangeReplacement()
    {
        var roll = random.Next(100);
        var policy = roll < 60 ? ReplacementPolicy.RecreateReady : roll < 85 ? ReplacementPolicy.RecreateNotReady : ReplacementPolicy.None;
        if (policy == cluster.Replacement) return;
        cluster.Replacement = policy;
        if (policy != ReplacementPolicy.None && cluster.WhiskerPods().Count == 0) cluster.AddWhisker(random.Hex(5));
    }

    private void Deliver(Incident incident, string status) => Deliver([(incident, status)]);

    private void Deliver(IReadOnlyList<(Incident Incident, string Status)> alerts)
    {
        var delivery = sender.DeliverAsync(alerts, () => random.Millis(300, 1200), _giveUp.Token);
        _deliveries.Add(delivery);
        foreach (var (incident, _) in alerts.Where(a => a.Status == "firing"))
        {
            if (!_firing.TryGetValue(incident, out var list)) _firing[incident] = list = [];
            list.Add(delivery);
        }
    }

    private static async Task Later(TimeSpan delay, Func<Task> action)
    {
        await Task.Delay(delay);
        await action();
    }

    public void Dispose() => _giveUp.Dispose();
}
