using Microsoft.OpenApi;

namespace AlertHealer.OpenApi;

// The OpenAPI document at GET /openapi/v1.json, generated from the endpoints themselves:
// their typed results, request bodies, Produces* metadata and authorization.
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string Route = "/openapi/{documentName}.json";

    public static WebApplicationBuilder AddOpenApiDocument(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "AlertHealer",
                    Version = Release.BuildInfo.Version,
                    Description = "Heals Calico's wedged whisker-backend from Alertmanager alerts, behind guards, with an audit log.",
                };
                return Task.CompletedTask;
            });
            o.AddDocumentTransformer<BearerSecurity>();
            o.AddDocumentTransformer<MetricsPath>();
            o.AddOperationTransformer<BearerSecurity>();
        });
        return builder;
    }

    // Anonymous like /healthz: it describes the API, it grants nothing.
    public static IEndpointRouteBuilder MapOpenApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(Route).AllowAnonymous();
        return app;
    }
}
