using AlertHealer.Kubernetes;
using AlertHealer.Metrics;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Kubernetes;

// The wait for whisker's replacement, on the service's own watch (KubernetesClient.Aot has none):
// a watch cut mid-event or expired (410) is listed again from a fresh resourceVersion, never lost.
public sealed class ReplacementWatchTests : IAsyncLifetime, IDisposable
{
    private const string Ns = "calico-system";
    private const string Selector = "k8s-app=whisker";
    private static readonly Dictionary<string, string> Labels = new() { ["k8s-app"] = "whisker" };
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string directory = Directory.CreateTempSubdirectory("replacement-watch-").FullName;
    private FakeKubernetesApi api = null!;
    private WatchingKubernetes client = null!;
    private KubernetesClusterClient cluster = null!;

    public async Task InitializeAsync()
    {
        api = await FakeKubernetesApi.StartAsync(time, ledgerPath: null);
        client = new WatchingKubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.WriteKubeconfig(directory)));
        var options = Options.Create(new KubernetesOptions());
        var metrics = new HealerMetrics();
        cluster = new KubernetesClusterClient(client, options, time, new KubernetesCalls(options, time, metrics), metrics,
            NullLogger<KubernetesClusterClient>.Instance);
    }

    public void Dispose() => client.Dispose();

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task AReplacementThatBecomesReadyDuringTheWatchIsSeen()
    {
        var old = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", Labels, ready: true);
        var replacement = api.AddPod(Ns, "whisker-7d9f8b6c4-fghij", Labels, ready: false);
        var waiting = cluster.WaitForReadyReplacementAsync(Ns, Selector, old.Metadata.Uid, CancellationToken.None);
        await api.WaitForRequestAsync(r => r.Verb == "watch", Patience);

        api.SetReady(Ns, replacement.Metadata.Name, ready: true);

        var found = await waiting.WaitAsync(Patience);
        Assert.Equal((replacement.Metadata.Uid, true), (found?.Uid, found?.Ready));
        Assert.Equal(["list", "watch"], api.Requests.Where(r => r.Resource == "pods").Select(r => r.Verb));
    }

    [Fact]
    public async Task AWatchCutMidEventIsListedAgainAndTheReplacementFound()
    {
        var old = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", Labels, ready: true);
        var waiting = cluster.WaitForReadyReplacementAsync(Ns, Selector, old.Metadata.Uid, CancellationToken.None);
        await api.WaitForRequestAsync(r => r.Verb == "watch", Patience);

        api.CutWatchesMidEvent();
        var replacement = api.AddPod(Ns, "whisker-7d9f8b6c4-fghij", Labels, ready: true);

        var found = await AdvanceUntilAsync(waiting);
        Assert.Equal(replacement.Metadata.Uid, found?.Uid);
        // The cut watch, then a fresh list that already shows the replacement Ready.
        Assert.Equal(["list", "watch", "list"], api.Requests.Where(r => r.Resource == "pods").Select(r => r.Verb));
    }

    [Fact]
    public async Task AWatchWhoseVersionWasCompactedAwayIsListedAgain()
    {
        var old = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", Labels, ready: true);
        // The watch reaches the server late: by then the list's resourceVersion is compacted away (410 Expired).
        api.DelayNext("watch", "pods", TimeSpan.FromSeconds(3));
        var waiting = cluster.WaitForReadyReplacementAsync(Ns, Selector, old.Metadata.Uid, CancellationToken.None);
        await api.WaitForRequestAsync(r => r.Verb == "list" && r.Resource == "pods", Patience);
        var replacement = api.AddPod(Ns, "whisker-7d9f8b6c4-fghij", Labels, ready: true);
        api.CompactWatchHistory();

        await api.WaitForRequestAsync(r => r.Verb == "watch", Patience);
        var found = await AdvanceUntilAsync(waiting);

        Assert.Equal(replacement.Metadata.Uid, found?.Uid);
        Assert.Equal(["list", "watch", "list"], api.Requests.Where(r => r.Resource == "pods").Select(r => r.Verb));
    }

    // The pause after a dropped watch runs on the healer's clock: move it until the wait ends.
    private async Task<PodInfo?> AdvanceUntilAsync(Task<PodInfo?> waiting)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!waiting.IsCompleted && !deadline.IsCancellationRequested)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(waiting, Task.Delay(50, CancellationToken.None));
        }
        return await waiting.WaitAsync(Patience);
    }
}
