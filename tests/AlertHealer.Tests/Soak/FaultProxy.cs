using System.Net;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlertHealer.Tests.Soak;

// A reverse proxy on 127.0.0.1 (random port) between the service's Kubernetes client and the
// fake API server, injecting the faults of a FaultPlan: 5xx with a Status body (not forwarded),
// lost answers and stalls after the API server acted, slow answers, watches cut mid-stream.
// Every request is kept as a ProxyExchange and logged. With several listeners (one per replica),
// each request is tagged with the listener it came in on, and one replica can be partitioned
// from the API server while the other is not.
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly string[] HopByHop = ["Host", "Connection", "Transfer-Encoding", "Content-Length", "Keep-Alive", "Expect"];
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _upstreamBase;
    private readonly FaultPlan _plan;
    private readonly SoakLog _log;
    private readonly Lock _gate = new();
    private readonly List<ProxyExchange> _exchanges = [];
    private readonly CancellationTokenSource _stopping = new();
    private long _ids;
    private List<int> _ports = [];
    // Per partitioned replica: completed when the partition heals.
    private readonly Dictionary<int, TaskCompletionSource> _partitions = [];
    // The watches streaming to each replica, cut when it is partitioned.
    private readonly List<(int Replica, CancellationTokenSource End)> _watches = [];

    private FaultProxy(Uri upstream, FaultPlan plan, SoakLog log, int listeners)
    {
        _upstreamBase = upstream;
        _plan = plan;
        _log = log;
        _upstream = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        }) { Timeout = Timeout.InfiniteTimeSpan };
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            for (var i = 0; i < listeners; i++) k.Listen(IPAddress.Loopback, 0);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public Uri BaseAddress => BaseAddresses[0];

    // One address per listener: the replica with index i talks to BaseAddresses[i].
    public IReadOnlyList<Uri> BaseAddresses { get; private set; } = [];

    // Called at each stage of every request; may act on the world (e.g. kill the service right
    // after a DELETE went through, before its answer leaves the proxy).
    public Func<ProxyExchange, ProxyStage, Task>? Hook { get; set; }

    public IReadOnlyList<ProxyExchange> Exchanges
    {
        get { lock (_gate) return [.. _exchanges]; }
    }

    public static async Task<FaultProxy> StartAsync(Uri upstream, FaultPlan plan, SoakLog log, int listeners = 1)
    {
        var proxy = new FaultProxy(upstream, plan, log, listeners);
        await proxy._app.StartAsync();
        var addresses = proxy._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a.TrimEnd('/') + "/")).ToList();
        proxy.BaseAddresses = addresses;
        proxy._ports = [.. addresses.Select(a => a.Port)];
        return proxy;
    }

    // Cuts a replica off the API server: its requests never arrive, answers on their way are lost,
    // its watches are cut, until Heal.
    public void Partition(int replica)
    {
        List<CancellationTokenSource> cut;
        lock (_gate)
        {
            if (_partitions.ContainsKey(replica)) return;
            _partitions[replica] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cut = [.. _watches.Where(w => w.Replica == replica).Select(w => w.End)];
        }
        foreach (var end in cut)
        {
            try { end.Cancel(); }
            catch (ObjectDisposedException) { }
        }
    }

    public void Heal(int replica)
    {
        lock (_gate)
        {
            if (_partitions.Remove(replica, out var healed)) healed.TrySetResult();
        }
    }

    private TaskCompletionSource? PartitionOf(int replica)
    {
        lock (_gate) return _partitions.TryGetValue(replica, out var p) ? p : null;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
        var request = RequestAttributes.Describe(context.Request, body);
        var (fault, status, delay) = _plan.Choose(request);
        var replica = Math.Max(0, _ports.IndexOf(context.Connection.LocalPort));
        var exchange = new ProxyExchange(Interlocked.Increment(ref _ids), DateTimeOffset.UtcNow, request, fault) { Replica = replica };
        lock (_gate) _exchanges.Add(exchange);
        try
        {
            if (PartitionOf(replica) is { } cut)
            {
                exchange.Outcome = "partitioned: never reached the API server";
                await cut.Task.WaitAsync(context.RequestAborted);
                context.Abort();
                return;
            }
            await RunHookAsync(exchange, ProxyStage.Received);
            if (fault == ProxyFault.Error)
            {
                exchange.InjectedStatus = status;
                var answer = KubernetesStatus.Injected(status, request);
                await AnswerAsync(context, exchange, answer.StatusCode, answer.Json, status == 429 ? "1" : null);
            }
            else if (request.Verb == "watch")
            {
                await StreamWatchAsync(context, exchange, fault == ProxyFault.DropWatch ? delay : null);
            }
            else
            {
                await ForwardAsync(context, exchange, delay);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            exchange.Outcome = $"gone ({e.GetType().Name})";
            context.Abort();
        }
        finally
        {
            _log.Add("proxy", exchange.Describe());
        }
    }

    private async Task ForwardAsync(HttpContext context, ProxyExchange exchange, TimeSpan delay)
    {
        // The API server finishes what it was asked even if the client gave up: not linked to RequestAborted.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        using var message = Upstream(context, exchange.Request);
        using var response = await _upstream.SendAsync(message, limit.Token);
        var json = await response.Content.ReadAsStringAsync(limit.Token);
        exchange.UpstreamStatus = (int)response.StatusCode;
        exchange.UpstreamAt = DateTimeOffset.UtcNow;
        if (exchange.Request.Verb is "delete" or "list") exchange.UpstreamBody = json;
        if (exchange.IsPodDelete) _log.Add("proxy", $"#{exchange.Id} DELETE {exchange.Request.Name} reached the API server: {exchange.UpstreamStatus}");
        await RunHookAsync(exchange, ProxyStage.UpstreamAnswered);

        switch (exchange.Fault)
        {
            case ProxyFault.LoseAnswer:
                exchange.Outcome = "answer lost (connection reset)";
                context.Abort();
                return;
            case ProxyFault.Stall:
                exchange.Outcome = $"stalled {delay.TotalSeconds:F1}s, then reset";
                await Task.Delay(delay, _stopping.Token);
                context.Abort();
                return;
            case ProxyFault.Slow:
                await Task.Delay(delay, _stopping.Token);
                break;
        }
        if (PartitionOf(exchange.Replica) is not null)
        {
            exchange.Outcome = "answer lost in a partition";
            context.Abort();
            return;
        }
        await AnswerAsync(context, exchange, (int)response.StatusCode, json, response.Headers.RetryAfter?.ToString());
        if (exchange.Fault == ProxyFault.Slow) exchange.Outcome += $" after {delay.TotalMilliseconds:F0}ms";
        await context.Response.CompleteAsync();
        await RunHookAsync(exchange, ProxyStage.Answered);
    }

    private async Task StreamWatchAsync(HttpContext context, ProxyExchange exchange, TimeSpan? cutAfter)
    {
        using var end = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, context.RequestAborted);
        using var message = Upstream(context, exchange.Request);
        // A partition that begins while the watch streams cuts it.
        var watch = (exchange.Replica, end);
        lock (_gate) _watches.Add(watch);
        try
        {
            await StreamAsync(context, exchange, cutAfter, end, message);
        }
        finally
        {
            lock (_gate) _watches.Remove(watch);
        }
    }

    private async Task StreamAsync(HttpContext context, ProxyExchange exchange, TimeSpan? cutAfter, CancellationTokenSource end, HttpRequestMessage message)
    {
        using var response = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, end.Token);
        exchange.UpstreamStatus = (int)response.StatusCode;
        exchange.UpstreamAt = DateTimeOffset.UtcNow;
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        await context.Response.StartAsync(end.Token);
        using var cut = new CancellationTokenSource();
        if (cutAfter is { } after) cut.CancelAfter(after);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(end.Token, cut.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(end.Token);
        var buffer = new byte[16 * 1024];
        var (bytes, events) = (0L, 0);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, either.Token)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), end.Token);
                await context.Response.Body.FlushAsync(end.Token);
                bytes += read;
                events += buffer.AsSpan(0, read).Count((byte)'\n');
            }
            exchange.Outcome = $"watch ended by the API server after {events} events";
            exchange.Delivered = true;
        }
        catch (OperationCanceledException) when (cut.IsCancellationRequested && !end.IsCancellationRequested)
        {
            exchange.Outcome = $"watch cut after {cutAfter!.Value.TotalSeconds:F1}s, {events} events";
            context.Abort();
        }
    }

    private HttpRequestMessage Upstream(HttpContext context, RecordedRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_upstreamBase, request.Path + request.Query));
        if (request.Body.Length > 0 || context.Request.ContentLength > 0) message.Content = new StringContent(request.Body);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            if (!message.Headers.TryAddWithoutValidation(name, values.ToArray()) && message.Content is { } content)
            {
                content.Headers.Remove(name);
                content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        return message;
    }

    private static async Task AnswerAsync(HttpContext context, ProxyExchange exchange, int status, string json, string? retryAfter)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null) context.Response.Headers.RetryAfter = retryAfter;
        await context.Response.WriteAsync(json, context.RequestAborted);
        exchange.Outcome = $"answered {status}";
        exchange.Delivered = true;
    }

    private async Task RunHookAsync(ProxyExchange exchange, ProxyStage stage)
    {
        if (Hook is { } hook) await hook(exchange, stage);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
        _stopping.Dispose();
    }
}
