using AlertHealer.Tests.Infrastructure.Postgres;

namespace AlertHealer.Tests.Soak;

// One replica of a two-replica run: its process, the relay in front of PostgreSQL that only it
// uses, its kill switch and its index (the API server proxy listener it talks to).
public sealed record SoakReplica(int Index, SoakService Service, TcpProxy Database, KillSwitch Kills)
{
    public string Name => Service.Replica;
}

// The faults only two replicas have, drawn from their own seeded stream: one replica paused
// (SIGSTOP) past its claims and the Lease, cut from the database, its commits' answers held then
// the connections cut (in doubt), cut from the API server (preferably while it holds the Lease),
// killed at a chosen moment. One such fault at a time, so each has a story; the shared faults
// (PostgreSQL stopped, tables locked, goldmane flaps, API faults) come from SoakDriver meanwhile.
public sealed class ReplicaFaults(IReadOnlyList<SoakReplica> replicas, FaultProxy proxy, SeededRandom random, SoakLog log, SoakSettings settings)
{
    private readonly Lock _gate = new();
    private Task _current = Task.CompletedTask;
    private volatile bool _off;

    public int Injected { get; private set; }

    public async Task DriveAsync(TimeSpan duration)
    {
        var end = DateTimeOffset.UtcNow + duration;
        while (DateTimeOffset.UtcNow < end && !_off)
        {
            await Task.Delay(random.Millis(1500, 4500));
            foreach (var r in replicas) r.Kills.Expire();
            lock (_gate)
            {
                if (!_current.IsCompleted) continue;
            }
            var replica = replicas[random.Next(replicas.Count)];
            var roll = random.Next(100);
            Task fault = roll switch
            {
                < 25 => PauseAsync(replica),
                < 42 => CutDatabaseAsync(replica),
                < 54 => HoldCommitAnswersAsync(replica),
                < 72 => CutApiServerAsync(LeaseHolder() ?? replica),
                < 90 => ArmKillAsync(replica),
                _ => Task.CompletedTask,
            };
            lock (_gate) _current = fault;
        }
    }

    // No new faults; the one under way ends, every partition heals, every replica runs.
    public async Task StopAsync()
    {
        _off = true;
        Task current;
        lock (_gate) current = _current;
        await current;
        foreach (var r in replicas)
        {
            r.Database.Fault = TcpFault.None;
            proxy.Heal(r.Index);
            await r.Kills.StopAsync();
            if (!r.Service.Running) await r.Service.RestartAsync();
        }
    }

    // Past ClaimDuration and LeaseDuration, so the other replica takes over before this one wakes up.
    private async Task PauseAsync(SoakReplica replica)
    {
        var pause = settings.ClaimDuration + random.Millis(1500, 8000);
        Injected++;
        if (!await replica.Service.PauseAsync(pause, "past its claims and the Lease"))
            log.Add("driver", $"pause of replica {replica.Name} skipped: not running");
    }

    private async Task CutDatabaseAsync(SoakReplica replica)
    {
        var duration = random.Millis(3000, 12000);
        var cut = random.Chance(0.5);
        Injected++;
        log.Add("driver", $"replica {replica.Name} partitioned from PostgreSQL for {duration.TotalSeconds:F1}s, then {(cut ? "its connections cut" : "healed")}");
        replica.Database.Fault = TcpFault.Held;
        await Task.Delay(duration);
        if (cut) replica.Database.CutAll();
        replica.Database.Fault = TcpFault.None;
        log.Add("driver", $"replica {replica.Name} reaches PostgreSQL again");
    }

    // The statements (and COMMITs) reach the server; their answers do not; then every connection is cut.
    private async Task HoldCommitAnswersAsync(SoakReplica replica)
    {
        var duration = random.Millis(1000, 5000);
        Injected++;
        log.Add("driver", $"replica {replica.Name}: PostgreSQL's answers held for {duration.TotalSeconds:F1}s, then its connections cut (commits in doubt)");
        replica.Database.Fault = TcpFault.AnswersHeld;
        await Task.Delay(duration);
        replica.Database.CutAll();
        replica.Database.Fault = TcpFault.None;
    }

    private async Task CutApiServerAsync(SoakReplica replica)
    {
        var duration = random.Millis(3000, 12000);
        Injected++;
        log.Add("driver", $"replica {replica.Name} partitioned from the API server for {duration.TotalSeconds:F1}s");
        proxy.Partition(replica.Index);
        await Task.Delay(duration);
        proxy.Heal(replica.Index);
        log.Add("driver", $"replica {replica.Name} reaches the API server again");
    }

    private async Task ArmKillAsync(SoakReplica replica)
    {
        if (!replica.Kills.Ready) return;
        Injected++;
        log.Add("driver", $"replica {replica.Name}:");
        await replica.Kills.ArmRandomAsync();
    }

    // The replica that last wrote a Lease successfully, if within the Lease's duration.
    private SoakReplica? LeaseHolder()
    {
        var last = proxy.Exchanges.LastOrDefault(x => x.Request is { Resource: "leases", Verb: "create" or "update" } && x.UpstreamStatus is 200 or 201);
        return last is not null && DateTimeOffset.UtcNow - last.Received < TimeSpan.FromSeconds(5) ? replicas.FirstOrDefault(r => r.Index == last.Replica) : null;
    }
}
