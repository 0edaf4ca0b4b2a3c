using System.Text.RegularExpressions;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Soak;

// What happens to the service during the run, one seeded step at a time: new incidents (some
// naming the pod), re-sends (also concurrent), resolved notifications, goldmane flapping, the
// ReplicaSet recreating whisker late or not at all, the store locked or full, process kills.
// random drives the steps; side serves whatever runs off the step loop (pauses, reactions), so
// that the step sequence of a seed does not depend on how those interleave.
public sealed partial class SoakDriver(
    SeededRandom random,
    SeededRandom side,
    SoakCluster cluster,
    ISoakStore store,
    SoakService service,
    AlertSender sender,
    KillSwitch kills,
    SoakLog log,
    bool faults) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Incident> _incidents = [];
    private readonly List<Task> _faults = [];
    private readonly List<Task> _deliveries = [];
    private readonly Dictionary<Incident, List<Task>> _firing = [];
    private DateTimeOffset? _fillOnDeleteUntil;
    private readonly HashSet<string> _whiskerNames = [Fixtures.WedgedPod];
    private readonly CancellationTokenSource _giveUp = new();
    private volatile bool _flapping;
    private volatile bool _storeFault;

    public IReadOnlyList<Incident> Incidents
    {
        get { lock (_gate) return [.. _incidents]; }
    }

    public async Task DriveAsync(TimeSpan duration)
    {
        var end = DateTimeOffset.UtcNow + duration;
        while (DateTimeOffset.UtcNow < end)
        {
            await Task.Delay(random.Millis(60, 350));
            kills.Expire();
            cluster.RipenWhisker(() => side.Millis(1000, 8000));
            foreach (var name in cluster.WhiskerPods()) _whiskerNames.Add(name);
            ExpireFillOnDelete();
            await StepAsync();
            lock (_gate) _faults.RemoveAll(t => t.IsCompleted);
        }
    }

    // Faults end, the cluster is healthy, the service runs; deliveries still go on until acknowledged.
    public async Task StopFaultsAsync()
    {
        await kills.StopAsync();
        lock (_gate) _fillOnDeleteUntil = null;
        Task[] faults;
        lock (_gate) faults = [.. _faults];
        await Task.WhenAll(faults);
        if (!service.Running) await service.RestartAsync();
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
        Task[] deliveries;
        lock (_gate) deliveries = [.. _deliveries];
        await Task.WhenAll(deliveries);
    }

    private async Task StepAsync()
    {
        // Per mille. Faults that last (flaps, store faults, kills) are rarer than alerts.
        var roll = random.Next(1000);
        // A calm run draws the same numbers but skips the faults.
        if (!faults && roll is >= 555 and < 625) return;
        switch (roll)
        {
            case < 180: Deliver(NewIncident(), "firing"); break;
            case < 220: DeliverPair(); break;
            case < 450: Resend(); break;
            case < 510: Resolve(); break;
            case < 540: ResendResolved(); break;
            case < 555: Flap(); break;
            case < 565: LockStore(); break;
            case < 575: FillDisk(); break;
            case < 585: ArmFillOnDelete(); break;
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
        lock (_gate) _incidents.Add(incident);
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
        var active = Incidents.Where(i => !i.Resolved).ToList();
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
        var active = Incidents.Where(CanResolve).ToList();
        if (active.Count == 0) return;
        Resolve(active[random.Next(active.Count)], "resolve");
    }

    private bool CanResolve(Incident incident)
    {
        lock (_gate) return !incident.Resolved && _firing.GetValueOrDefault(incident)?.All(t => t.IsCompleted) != false;
    }

    private void Resolve(Incident incident, string why)
    {
        incident.Resolved = true;
        log.Add("driver", $"{why} {incident}");
        Deliver(incident, "resolved");
    }

    // The alert often resolves while the service is still retrying it: the resolved
    // notification then arrives between two attempts.
    public void OnServiceLine(string line)
    {
        if (Retried().Match(line) is not { Success: true } m) return;
        var incident = Incidents.FirstOrDefault(i => i.Fingerprint == m.Groups[1].Value);
        if (incident is not null && CanResolve(incident) && side.Chance(0.35)) Resolve(incident, "resolve while the service retries");
    }

    private void ResendResolved()
    {
        var resolved = Incidents.Where(i => i.Resolved).ToList();
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
        Background(async () =>
        {
            await Task.Delay(down);
            cluster.SetGoldmane(true);
            _flapping = false;
        });
    }

    private void LockStore()
    {
        if (_storeFault) return;
        _storeFault = true;
        var duration = random.Millis(1000, 5000);
        Background(async () =>
        {
            try
            {
                await using var held = await store.LockAsync(log);
                await Task.Delay(duration);
            }
            finally
            {
                _storeFault = false;
            }
        });
    }

    private void FillDisk()
    {
        if (_storeFault || service.Pid is not { } pid) return;
        _storeFault = true;
        var duration = random.Millis(500, 3000);
        Background(async () =>
        {
            try
            {
                await using var full = await store.FillAsync(pid, log);
                await Task.Delay(duration);
            }
            finally
            {
                _storeFault = false;
            }
        });
    }

    // The disk fills up right after the next DELETE went through, before the service hears back:
    // what it writes about that delete fails.
    private void ArmFillOnDelete()
    {
        if (_storeFault) return;
        _storeFault = true;
        lock (_gate) _fillOnDeleteUntil = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        log.Add("driver", "disk full armed: right after the next DELETE went through");
    }

    private void ExpireFillOnDelete()
    {
        lock (_gate)
        {
            if (_fillOnDeleteUntil is not { } until || until > DateTimeOffset.UtcNow) return;
            _fillOnDeleteUntil = null;
        }
        log.Add("driver", "disk full disarmed (no DELETE came)");
        _storeFault = false;
    }

    public async Task OnProxyAsync(ProxyExchange exchange, ProxyStage stage)
    {
        if (stage != ProxyStage.UpstreamAnswered || !exchange.IsSuccessfulDelete) return;
        lock (_gate)
        {
            if (_fillOnDeleteUntil is null) return;
            _fillOnDeleteUntil = null;
        }
        if (service.Pid is not { } pid || await store.FillAsync(pid, log) is not { } full)
        {
            _storeFault = false;
            return;
        }
        var duration = side.Millis(1000, 3000);
        Background(async () =>
        {
            try
            {
                await Task.Delay(duration);
                await full.DisposeAsync();
            }
            finally
            {
                _storeFault = false;
            }
        });
    }

    private void Background(Func<Task> work)
    {
        lock (_gate) _faults.Add(Task.Run(work));
    }

    private void ChangeReplacement()
    {
        var roll = random.Next(100);
        var policy = roll < 45 ? ReplacementPolicy.RecreateReady : roll < 90 ? ReplacementPolicy.RecreateNotReady : ReplacementPolicy.None;
        if (policy == cluster.Replacement) return;
        cluster.Replacement = policy;
        if (policy != ReplacementPolicy.None && cluster.WhiskerPods().Count == 0) cluster.AddWhisker(random.Hex(5));
    }

    private void Deliver(Incident incident, string status) => Deliver([(incident, status)]);

    private void Deliver(IReadOnlyList<(Incident Incident, string Status)> alerts)
    {
        var delivery = sender.DeliverAsync(alerts, () => side.Millis(300, 1200), _giveUp.Token);
        lock (_gate)
        {
            _deliveries.Add(delivery);
            foreach (var (incident, _) in alerts.Where(a => a.Status == "firing"))
            {
                if (!_firing.TryGetValue(incident, out var list)) _firing[incident] = list = [];
                list.Add(delivery);
            }
        }
    }

    [GeneratedRegex(@"Inbox item \d+ \(alert ([0-9a-f]+)\) hit a transient fault")]
    private static partial Regex Retried();

    public void Dispose() => _giveUp.Dispose();
}
