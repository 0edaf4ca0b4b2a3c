using System.Text.Json;
using System.Text.Json.Nodes;
using AlertHealer.Tests.Detection;
using AlertHealer.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.OpenApi;

/// <summary>One operation as the running app maps it: "GET /audit/{id}" and its endpoint's metadata.</summary>
internal sealed record MappedOperation(string Method, string Path, EndpointMetadataCollection Metadata)
{
    public string Key => $"{Method} {Path}";

    // The authorization middleware's rule: AllowAnonymous wins over any RequireAuthorization.
    public bool RequiresToken => Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0 && Metadata.GetMetadata<IAllowAnonymous>() is null;

    public bool TakesJsonBody => Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase)) == true;

    public bool IsRateLimited => Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null && Metadata.GetMetadata<DisableRateLimitingAttribute>() is null;
}

internal static class ServedDocument
{
    public const string Path = "/openapi/v1.json";

    /// <summary>The document exactly as an anonymous client gets it.</summary>
    public static async Task<JsonObject> GetAsync(TestApp app)
    {
        using var response = await app.Anonymous.GetAsync(Path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>The operation object of <paramref name="method"/> on <paramref name="path"/>, or null.</summary>
    public static JsonObject? Operation(JsonObject document, string method, string path) =>
        document["paths"]?[path]?[method.ToLowerInvariant()]?.AsObject();

    /// <summary>Every (method, path) the document describes.</summary>
    public static IEnumerable<string> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(o => HttpMethods.IsGet(o.Key) || HttpMethods.IsPost(o.Key) || HttpMethods.IsPut(o.Key)
                || HttpMethods.IsDelete(o.Key) || HttpMethods.IsPatch(o.Key) || HttpMethods.IsHead(o.Key))
            .Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}"));

    public static IReadOnlyList<string> ResponseStatuses(JsonObject operation) =>
        operation["responses"]!.AsObject().Select(r => r.Key).ToList();

    /// <summary>
    /// Every route the running app answers, from its EndpointDataSource. An endpoint with no
    /// HTTP method metadata answers every method; it is listed as GET, the one that matters.
    /// </summary>
    public static IReadOnlyList<MappedOperation> Mapped(TestApp app)
    {
        var source = app.Services.GetRequiredService<EndpointDataSource>();
        return source.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => new MappedOperation(method, DocumentPath(e.RoutePattern), e.Metadata)))
            .ToList();
    }

    // As OpenAPI writes a route: leading slash, no trailing one, parameters without constraints.
    private static string DocumentPath(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => throw new NotSupportedException(part.GetType().Name),
        })));
        var path = "/" + string.Join('/', segments);
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>Runs @apidevtools/swagger-parser (tests/openapi/validate.mjs) on the document.</summary>
    public static async Task<JsonObject> ValidateAsync(JsonObject document)
    {
        var node = Tool.Node();
        if (!Directory.Exists(Tool.InRepo("tests", "openapi", "node_modules", "@apidevtools", "swagger-parser")))
        {
            Assert.Fail("the npm package @apidevtools/swagger-parser is not installed: run `npm ci` in tests/openapi "
                + "(needs the Debian package `npm`; tests/run.sh runs it).");
        }
        var result = await Tool.RunAsync(node, ["tests/openapi/validate.mjs"], stdin: document.ToJsonString());
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        return JsonNode.Parse(result.StdOut)!.AsObject();
    }

    public static string Show(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";
}
