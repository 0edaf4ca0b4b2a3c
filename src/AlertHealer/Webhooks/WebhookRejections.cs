using AlertHealer.Metrics;

namespace AlertHealer.Webhooks;

// Counts every refused delivery to a webhook route (alerthealer_webhook_rejected_total{reason}),
// by the status it was answered with, whoever answered it: authentication (401), authorization
// (403), the validation filter and the JSON reader (400), the body limit (413), the content
// type and charset checks (415) and the rate limiter (429). Alertmanager gives up on a 4xx and
// only its own log says so; this puts the refusals where the healer's alerts can see them.
public sealed class WebhookRejections(RequestDelegate next, HealerMetrics metrics)
{
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string Invalid = "invalid";
    public const string TooLarge = "too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string RateLimited = "rate-limited";

    public static readonly string[] Reasons = [Unauthorized, Forbidden, Invalid, TooLarge, UnsupportedMediaType, RateLimited];

    public async Task InvokeAsync(HttpContext context)
    {
        // By path, not endpoint: routing answers a wrong content type with its own 415 endpoint,
        // and the exception handler clears the endpoint when a body cannot be read.
        var delivery = context.Request.Path.StartsWithSegments(WebhookEndpoints.Prefix);
        try
        {
            await next(context);
        }
        finally
        {
            if (delivery && Reason(context.Response.StatusCode) is { } reason) metrics.WebhookRejected(reason);
        }
    }

    public static string? Reason(int status) => status switch
    {
        StatusCodes.Status400BadRequest => Invalid,
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status413PayloadTooLarge => TooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => RateLimited,
        _ => null,
    };
}

public static class WebhookRejectionsExtensions
{
    // Outermost, so the status it reads is the one that went out, whichever layer wrote it.
    public static WebApplication UseWebhookRejections(this WebApplication app)
    {
        app.UseMiddleware<WebhookRejections>();
        return app;
    }
}
