using System.Collections.Concurrent;

namespace AlertHealer.Kubernetes;

// Demo mode only: an in-memory calico-system with a Ready goldmane and a whisker pod that
// a pretend operator recreates a few seconds after it is deleted.
public sealed class SimulatedCluster : IClusterClient
{
    private const string Ns = "calico-system";
    private readonly ConcurrentDictionary<string, PodInfo> _pods = new();
    private readonly TimeProvider _time;

    public SimulatedCluster(TimeProvider time)
    {
        _time = time;
        var now = time.GetUtcNow();
        Add(new PodInfo(Ns, "goldmane-7d9f8b6c5-q4wzt", Guid.NewGuid().ToString(), true, now.AddHours(-2), true, false,
            new Dictionary<string, string> { ["k8s-app"] = "goldmane" }));
        // Created long before the sample alert started, as the wedged pod was.
        Add(NewWhisker("whisker-5b8d6c7f9-x2kqp", ready: true) with { Created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) });
    }

    public TimeSpan RecreateAfter { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan ReadyAfter { get; init; } = TimeSpan.FromSeconds(2);

    // Read at the simulated API server's now, as a real list is by its Date.
    public Task<IReadOnlyList<PodInfo>> ListPodsAsync(string ns, string labelSelector, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PodInfo>>(_pods.Values.Where(p => p.Namespace == ns && LabelSelectors.Matches(p.Labels, labelSelector))
            .OrderBy(p => p.Name).Select(p => p with { ObservedAt = _time.GetUtcNow() }).ToList());

    public Task<PodInfo?> GetPodAsync(string ns, string name, CancellationToken ct) =>
        Task.FromResult(_pods.TryGetValue(ns + "/" + name, out var pod) ? pod : null);

    public Task<DeleteResult> DeletePodAsync(string ns, string name, string uid, CancellationToken ct)
    {
        if (!_pods.TryGetValue(ns + "/" + name, out var pod)) return Task.FromResult(DeleteResult.NotFound);
        if (pod.Uid != uid) return Task.FromResult(DeleteResult.Replaced);
        _pods.TryRemove(ns + "/" + name, out _);
        if (pod.Labels.GetValueOrDefault("k8s-app") == "whisker") ScheduleRecreate();
        return Task.FromResult(DeleteResult.Deleted);
    }

    public async Task<PodInfo?> WaitForReadyReplacementAsync(string ns, string labelSelector, string oldUid, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var ready = (await ListPodsAsync(ns, labelSelector, ct)).FirstOrDefault(p => p.Uid != oldUid && p.Ready);
            if (ready is not null) return ready;
            try { await Task.Delay(TimeSpan.FromMilliseconds(500), _time, ct); }
            catch (OperationCanceledException) { break; }
        }
        return null;
    }

    public Task ProbeAsync(CancellationToken ct) => Task.CompletedTask;

    private void ScheduleRecreate()
    {
        var name = $"whisker-5b8d6c7f9-{Guid.NewGuid().ToString("N")[..5]}";
        ITimer? ready = null;
        ITimer? create = null;
        create = _time.CreateTimer(_ =>
        {
            Add(NewWhisker(name, ready: false));
            ready = _time.CreateTimer(_ =>
            {
                if (_pods.TryGetValue(Ns + "/" + name, out var pod)) Add(pod with { Ready = true, ReadySince = _time.GetUtcNow() });
                ready?.Dispose();
            }, null, ReadyAfter, Timeout.InfiniteTimeSpan);
            create?.Dispose();
        }, null, RecreateAfter, Timeout.InfiniteTimeSpan);
    }

    private PodInfo NewWhisker(string name, bool ready) =>
        new(Ns, name, Guid.NewGuid().ToString(), ready, ready ? _time.GetUtcNow().AddHours(-1) : null, true, false,
            new Dictionary<string, string> { ["k8s-app"] = "whisker" }, _time.GetUtcNow());

    private void Add(PodInfo pod) => _pods[pod.Namespace + "/" + pod.Name] = pod;
}
