using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace AlertHealer.Security;

// Holds every request body to its endpoint's limit. Kestrel enforces the limit set on its
// feature; other servers (the in-memory test server) do not, so the body is also counted here.
public sealed class BodyLimitMiddleware(RequestDelegate next, IOptions<LimitsOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.Value;
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.Select(limits) ?? limits.DefaultBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
            server.MaxRequestBodySize = limit;

        if (context.Request.ContentLength > limit)
        {
            // Refused before a byte is read; Kestrel then drains or closes the connection.
            await EdgeProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, EdgeProblems.TooLarge,
                $"At most {limit} bytes are accepted here.");
            return;
        }
        // Counted even with a Content-Length: the count is cheap and trusts no server to stop there.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
            context.Request.Body = new LimitedReadStream(context.Request.Body, limit);
        await next(context);
    }
}
