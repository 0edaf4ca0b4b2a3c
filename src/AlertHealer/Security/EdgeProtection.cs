using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AlertHealer.Security;

// The HTTP edge of a service that can delete pods: bounded bodies, UTF-8 JSON only, security
// headers on every response, no server banner, and a rate limit on the manual endpoints.
public static class EdgeProtection
{
    public static WebApplicationBuilder AddEdgeProtection(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LimitsOptions>()
            .Bind(builder.Configuration.GetSection(LimitsOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
        {
            kestrel.AddServerHeader = false;
            // Backstop for anything the per-endpoint limit does not reach.
            kestrel.Limits.MaxRequestBodySize = limits.Value.LargestBody;
        });
        builder.Services.AddManualRateLimit();
        return builder;
    }

    // First in the pipeline: the headers must be registered before anything can answer, and
    // oversize bodies are refused before authentication or JSON parsing spend anything on them.
    public static WebApplication UseEdgeProtection(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<BodyLimitMiddleware>();
        app.UseMiddleware<JsonCharsetMiddleware>();
        return app;
    }
}
