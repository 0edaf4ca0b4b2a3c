using System.Globalization;
using System.Threading.RateLimiting;
using AlertHealer.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AlertHealer.Security;

// /remediate and /simulate: a few calls a minute per client is all a person needs; more is a
// script gone wrong. One fixed window per token name (per address for callers without one).
// The limiters keep their own clock (System.Threading.RateLimiting takes no TimeProvider).
public static class ManualRateLimit
{
    public const string Policy = "manual";
    public const string WebhookPolicy = "webhook";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddManualRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Policy, context => RateLimitPartition.GetFixedWindowLimiter(ClientKey(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.ManualPerMinute,
                Window = Window,
                QueueLimit = 0,
            }));
            // The webhook: unlimited unless Limits:WebhookPerMinute is set, a valve against a leaked
            // token flooding the store. Alertmanager does not retry a 429: set it well above its rate.
            o.AddPolicy(WebhookPolicy, context =>
                context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.WebhookPerMinute is var limit and > 0
                    ? RateLimitPartition.GetFixedWindowLimiter(ClientKey(context), _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = Window, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter("unlimited"));
            o.OnRejected = RejectAsync;
        });

    // The token's name, not the token: the same operator from two pods shares one budget.
    private static string ClientKey(HttpContext context) =>
        context.User.FindFirst(BearerTokenHandler.TokenNameClaim)?.Value is { Length: > 0 } token ? $"token:{token}"
        : $"ip:{context.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry)
            ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds))
            : (int)Window.TotalSeconds;
        var context = rejected.HttpContext;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var limits = context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value;
        var detail = context.Request.Path.StartsWithSegments("/webhook")
            ? $"At most {limits.WebhookPerMinute} webhook deliveries per minute per client; retry after {seconds} seconds."
            : $"At most {limits.ManualPerMinute} manual requests per minute per client; retry after {seconds} seconds.";
        await EdgeProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests.", detail);
    }
}
