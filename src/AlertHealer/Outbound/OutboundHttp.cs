using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace AlertHealer.Outbound;

// What the Loki and Alertmanager clients share: per-attempt and total timeouts, a few
// jittered retries, and pooled connections that are renewed (the clients live in singletons).
public static class OutboundHttp
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    // Enough for every attempt to time out and every backoff to run to its cap.
    public static TimeSpan TotalTimeout(TimeSpan timeout, int retries) => timeout * (retries + 1) + MaxRetryDelay * retries;

    public static IHttpClientBuilder AddOutboundResilience(
        this IHttpClientBuilder client,
        Func<IServiceProvider, (Uri? BaseAddress, TimeSpan Timeout, int Retries)> settings,
        Func<HttpRequestMessage, bool>? neverRetry = null)
    {
        client.ConfigureHttpClient((sp, http) =>
        {
            http.BaseAddress = settings(sp).BaseAddress;
            // The resilience pipeline's total timeout bounds every call, on the healer's clock.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });
        client.AddHttpMessageHandler(() => new UserAgentHandler());
        client.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        client.AddStandardResilienceHandler().Configure((o, sp) =>
        {
            var (_, timeout, retries) = settings(sp);
            o.AttemptTimeout.Timeout = timeout;
            o.TotalRequestTimeout.Timeout = TotalTimeout(timeout, retries);
            // Polly insists on at least one retry attempt; zero retries means "never handle".
            o.Retry.MaxRetryAttempts = Math.Max(1, retries);
            o.Retry.Delay = RetryDelay;
            o.Retry.MaxDelay = MaxRetryDelay;
            o.Retry.BackoffType = DelayBackoffType.Exponential;
            o.Retry.UseJitter = true;
            var transient = o.Retry.ShouldHandle;
            o.Retry.ShouldHandle = args =>
                retries == 0 || (neverRetry is not null && args.Context.GetRequestMessage() is { } request && neverRetry(request))
                    ? ValueTask.FromResult(false)
                    : transient(args);
            // The healer sends a handful of requests a minute, far below the breaker's minimum
            // throughput, so it stays closed; the window only has to satisfy the pipeline's validation.
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, timeout.Ticks * 2));
        });
        return client;
    }

    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public static bool IsValidTimeout(TimeSpan timeout) => timeout >= TimeSpan.FromMilliseconds(100) && timeout <= TimeSpan.FromMinutes(5);
}
