using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace AlertHealer.Security;

// JSON bodies are UTF-8 (RFC 8259). The JSON reader throws on a charset it does not know
// (or a quoted one), which would answer 500: other charsets are refused with 415 here, and
// a quoted utf-8 is reduced to the bare media type, which means the same.
public sealed class JsonCharsetMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (TakesJson(context) && MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) && type.Charset.HasValue)
        {
            var charset = type.Charset.Value!;
            if (!string.Equals(charset.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase))
            {
                await EdgeProblems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, EdgeProblems.NotJson,
                    "JSON request bodies must be UTF-8; leave out the charset or send charset=utf-8.");
                return;
            }
            if (charset.StartsWith('"')) context.Request.ContentType = type.MediaType.Value;
        }
        await next(context);
    }

    private static bool TakesJson(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is { } accepts
        && accepts.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase));
}
