using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AlertHealer.OpenApi;

// GET /metrics is prometheus-net's middleware mapped as a route, not a route handler, so the
// generator cannot see it; it is described here (anonymous, Prometheus text format).
public sealed class MetricsPath : IOpenApiDocumentTransformer
{
    public const string Path = "/metrics";
    private const string Tag = "Metrics";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Tags ??= new HashSet<OpenApiTag>();
        if (!document.Tags.Any(t => t.Name == Tag)) document.Tags.Add(new OpenApiTag { Name = Tag });
        document.Paths ??= [];
        document.Paths[Path] = new OpenApiPathItem
        {
            Operations = new()
            {
                [HttpMethod.Get] = new OpenApiOperation
                {
                    Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
                    Summary = "The healer's metrics in the Prometheus text format (see the README's Metrics section).",
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse
                        {
                            Description = "OK",
                            Content = new Dictionary<string, OpenApiMediaType>
                            {
                                ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                            },
                        },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }
}
