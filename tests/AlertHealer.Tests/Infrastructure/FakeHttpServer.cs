using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace AlertHealer.Tests.Infrastructure;

// One request as the fake server saw it. Header names are case-insensitive.
public sealed record CapturedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

// A real HTTP server on 127.0.0.1 (random port) that records every request and can be told
// to fail the next requests with a status or to hang until the client gives up.
public abstract class FakeHttpServer : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly List<CapturedRequest> _requests = [];
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private int _failNext;
    private int _failStatus;
    private volatile bool _hang;

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<CapturedRequest> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    // The next `count` requests are recorded and answered with `status` and a short text body.
    public void FailNext(int count, HttpStatusCode status = HttpStatusCode.ServiceUnavailable)
    {
        Volatile.Write(ref _failStatus, (int)status);
        Volatile.Write(ref _failNext, count);
    }

    // Requests that arrive while hanging are recorded and never answered: they end when the
    // client gives up or the server stops.
    public void Hang(bool hang = true) => _hang = hang;

    // Returns once at least `count` requests arrived (real time, bounded).
    public async Task<IReadOnlyList<CapturedRequest>> WaitForRequestsAsync(int count, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultWait);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_requests.Count >= count) return [.. _requests];
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{GetType().Name}: expected {count} request(s), got {Requests.Count} within {timeout ?? DefaultWait}");
            }
        }
    }

    protected async Task ListenAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.Single());
    }

    // Answers a request that is neither failed nor hung.
    protected abstract Task AnswerAsync(HttpContext context, CapturedRequest request);

    protected static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = await CaptureAsync(context.Request);
        lock (_gate)
        {
            _requests.Add(request);
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
        }

        if (TakeFailure())
        {
            context.Response.StatusCode = Volatile.Read(ref _failStatus);
            await context.Response.WriteAsync("injected failure");
            return;
        }
        if (_hang)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try { await Task.Delay(Timeout.Infinite, either.Token); }
            catch (OperationCanceledException) { /* the client gave up, or the test ended */ }
            return;
        }
        await AnswerAsync(context, request);
    }

    private bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failNext);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _failNext, left - 1, left) == left) return true;
        }
    }

    private static async Task<CapturedRequest> CaptureAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        return new CapturedRequest(
            request.Method,
            request.Path.Value ?? "",
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null) await _app.DisposeAsync();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
