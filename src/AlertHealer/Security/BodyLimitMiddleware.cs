using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace AlertHealer.Security;

// Holds every request body to its endpoint's limit, on any server (the in-memory test server has
// no limit of its own), and answers every oversize body with a 413 the client can read.
public sealed class BodyLimitMiddleware(RequestDelegate next, IOptions<LimitsOptions> options, TimeProvider time, ILogger<BodyLimitMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.Value;
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.Select(limits) ?? limits.DefaultBodyBytes;
        // Kestrel's own limit sits above the endpoint's, at what a refusal may drain: past its
        // limit Kestrel fails the body and closes the connection with bytes unread (BodyDrain).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
            server.MaxRequestBodySize = Math.Max(limit, BodyDrain.MaxBytes);

        if (context.Request.ContentLength is { } length && length > limit)
        {
            // A body this server will not drain, or one the client waits to send until told to
            // (Expect: 100-continue): the connection ends with the answer, and the client knows it.
            var drain = length <= BodyDrain.MaxBytes && !ExpectsContinue(context.Request);
            if (!drain) context.Response.Headers.Connection = "close";
            await EdgeProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, EdgeProblems.TooLarge,
                $"At most {limit} bytes are accepted here.");
            if (drain) await BodyDrain.DrainAsync(context, context.Request.Body, time, logger);
            return;
        }
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            await next(context);
            return;
        }
        // Counted even with a Content-Length: the count is cheap and trusts no server to stop there.
        // A chunked upload has no length to refuse up front; it fails here once past the limit.
        var body = context.Request.Body;
        var limited = new LimitedReadStream(body, limit);
        context.Request.Body = limited;
        await next(context);
        if (limited.Exceeded) await BodyDrain.DrainAsync(context, body, time, logger);
    }

    private static bool ExpectsContinue(HttpRequest request) =>
        request.Headers.Expect.Any(e => string.Equals(e, "100-continue", StringComparison.OrdinalIgnoreCase));
}
