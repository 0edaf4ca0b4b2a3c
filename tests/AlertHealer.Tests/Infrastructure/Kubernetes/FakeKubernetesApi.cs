using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 (random port) speaking the real JSON wire format:
/// pods (list/watch/get/delete), leases, events (create/get/list), token, subject and self-subject access reviews, discovery.
/// Every request is recorded.
/// </summary>
public sealed partial class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping = new();
    private readonly RequestRecorder recorder;
    private readonly FaultInjector faults = new();
    private readonly ApiDispatcher dispatcher;
    private readonly PodStore pods;
    private readonly PodFactory podFactory;
    private readonly LeaseStore leases;
    private readonly EventStore events;
    private readonly AccessRules access = new();
    private readonly ResourceVersionClock clock = new();
    private int disposed;

    private FakeKubernetesApi(TimeProvider time, string? ledgerPath)
    {
        recorder = new RequestRecorder(ledgerPath);
        podFactory = new PodFactory(time);
        pods = new PodStore(clock, podFactory, time);
        leases = new LeaseStore(clock, time);
        events = new EventStore(clock, time);
        dispatcher = new ApiDispatcher(time, ClientToken, recorder, faults, new PodEndpoints(pods), leases, events, new ReviewEndpoints(access))
        {
            Stopping = stopping.Token,
        };

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        app = builder.Build();
        app.Run(dispatcher.HandleAsync);
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The bearer token the server accepts from API clients (the one in the written kubeconfig).</summary>
    public string ClientToken { get; } = "fake-token-" + Guid.NewGuid().ToString("N");

    /// <summary>Starts a server; requests are also appended to the file named by ALERTHEALER_TEST_LEDGER when it is set.</summary>
    public static Task<FakeKubernetesApi> StartAsync(TimeProvider time) =>
        StartAsync(time, Environment.GetEnvironmentVariable(RequestRecorder.LedgerVariable));

    /// <summary>Starts a server that appends its requests to <paramref name="ledgerPath"/> (none when null).</summary>
    public static async Task<FakeKubernetesApi> StartAsync(TimeProvider time, string? ledgerPath)
    {
        var api = new FakeKubernetesApi(time, ledgerPath);
        await api.app.StartAsync();
        var address = api.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        api.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        api.dispatcher.BaseAddress = api.BaseAddress;
        return api;
    }

    /// <summary>Writes a kubeconfig for this server into <paramref name="directory"/> and returns its path.</summary>
    public string WriteKubeconfig(string directory) => Kubeconfig.Write(directory, BaseAddress, ClientToken);

    /// <summary>Runs before each request is handled (after it is parsed); may change cluster state, e.g. replace a pod.</summary>
    public Func<RecordedRequest, Task>? BeforeRequest
    {
        get => dispatcher.BeforeRequest;
        set => dispatcher.BeforeRequest = value;
    }

    /// <summary>
    /// The next <paramref name="times"/> requests with this RBAC verb and resource (e.g. "delete", "pods") are answered
    /// with <paramref name="statusCode"/> and the matching Status body, without being performed.
    /// </summary>
    public void FailNext(string verb, string resource, int times, int statusCode = 503) => faults.FailNext(verb, resource, times, statusCode);

    /// <summary>The next <paramref name="times"/> requests with this verb and resource take effect but their answer is lost
    /// (connection reset, or with <paramref name="stall"/> held until the client times out).</summary>
    public void LoseAnswerNext(string verb, string resource, int times = 1, bool stall = false) => faults.LoseAnswerNext(verb, resource, times, stall);

    /// <summary>The next request with this verb and resource is held for <paramref name="delay"/> (real time) first.</summary>
    public void DelayNext(string verb, string resource, TimeSpan delay) => faults.DelayNext(verb, resource, delay);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        pods.CloseWatches();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }
}
