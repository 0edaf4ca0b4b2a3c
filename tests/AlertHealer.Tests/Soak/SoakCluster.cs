using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Soak;

// The fake calico-system on real time: goldmane, whose readiness the driver flips and whose
// history is kept for the checks, and whisker, which the simulated ReplicaSet recreates.
public sealed class SoakCluster : IAsyncDisposable
{
    public const string Namespace = "calico-system";
    public const string Goldmane = "goldmane-7d9f8b6c5-q4wzt";
    private static readonly Dictionary<string, string> GoldmaneLabels = new() { ["k8s-app"] = "goldmane" };
    private static readonly Dictionary<string, string> WhiskerLabels = new() { ["k8s-app"] = "whisker" };

    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, bool Ready)> _goldmane = [];
    private readonly Dictionary<string, DateTimeOffset> _readyAt = [];
    private readonly SoakLog _log;

    private SoakCluster(FakeKubernetesApi kube, SoakLog log)
    {
        Kube = kube;
        _log = log;
    }

    public FakeKubernetesApi Kube { get; }

    public static async Task<SoakCluster> StartAsync(SoakLog log)
    {
        var cluster = new SoakCluster(await FakeKubernetesApi.StartAsync(TimeProvider.System), log);
        var now = Whole(DateTimeOffset.UtcNow);
        cluster.Kube.AddPod(Namespace, Goldmane, GoldmaneLabels, ready: true, now - TimeSpan.FromMinutes(10));
        cluster._goldmane.Add((now - TimeSpan.FromMinutes(10), true));
        cluster.Kube.AddPod(Namespace, Fixtures.WedgedPod, WhiskerLabels, ready: true, now - TimeSpan.FromHours(1));
        cluster.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        return cluster;
    }

    public IReadOnlyList<(DateTimeOffset At, bool Ready)> GoldmaneHistory
    {
        get { lock (_gate) return [.. _goldmane]; }
    }

    public bool GoldmaneReady
    {
        get { lock (_gate) return _goldmane[^1].Ready; }
    }

    public void SetGoldmane(bool ready)
    {
        lock (_gate)
        {
            // Becoming Ready is stamped on a whole second, as the API server serializes it;
            // becoming unready is stamped when it happened, so the history never claims Ready too long.
            var now = DateTimeOffset.UtcNow;
            var at = ready ? Whole(now) : now;
            Kube.SetReady(Namespace, Goldmane, ready, at);
            _goldmane.Add((at, ready));
            _log.Add("cluster", $"goldmane {(ready ? "Ready" : "not Ready")} (lastTransitionTime {at:HH:mm:ss.fff})");
        }
    }

    // Whether goldmane had been Ready for at least minReadyFor at the moment t.
    public bool GoldmaneSettledAt(DateTimeOffset t, TimeSpan minReadyFor)
    {
        var history = GoldmaneHistory;
        var last = history.LastOrDefault(h => h.At <= t);
        return last.Ready && t - last.At >= minReadyFor;
    }

    public IReadOnlyList<string> WhiskerPods() =>
        [.. Kube.Pods(Namespace).Where(IsWhisker).Select(p => p.Metadata.Name)];

    public ReplacementPolicy Replacement
    {
        get => Kube.ReplacementPolicy;
        set
        {
            Kube.ReplacementPolicy = value;
            _log.Add("cluster", $"whisker replacement: {value}");
        }
    }

    // A whisker pod after a spell without one (the ReplicaSet caught up).
    public void AddWhisker(string suffix)
    {
        var name = "whisker-5b8d6c7f9-" + suffix;
        Kube.AddPod(Namespace, name, WhiskerLabels, ready: true, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));
        _log.Add("cluster", $"whisker pod {name} added");
    }

    // Unready whisker pods become Ready after their delay (set on first sight); returns how many did.
    public int RipenWhisker(Func<TimeSpan> delay, bool now = false)
    {
        var ripened = 0;
        foreach (var pod in Kube.Pods(Namespace).Where(IsWhisker))
        {
            var ready = pod.Status.Conditions.Any(c => c is { Type: "Ready", Status: "True" });
            if (ready) continue;
            var name = pod.Metadata.Name;
            DateTimeOffset due;
            lock (_gate)
            {
                if (!_readyAt.TryGetValue(name, out due)) _readyAt[name] = due = DateTimeOffset.UtcNow + delay();
            }
            if (!now && due > DateTimeOffset.UtcNow) continue;
            try
            {
                Kube.SetReady(Namespace, name, true);
                _log.Add("cluster", $"whisker pod {name} Ready");
                ripened++;
            }
            catch (KeyNotFoundException)
            {
                // Deleted meanwhile.
            }
        }
        return ripened;
    }

    public ValueTask DisposeAsync() => Kube.DisposeAsync();

    private static bool IsWhisker(k8s.Models.V1Pod pod) =>
        pod.Metadata.Labels is { } labels && labels.TryGetValue("k8s-app", out var app) && app == "whisker";

    private static DateTimeOffset Whole(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
