using Microsoft.AspNetCore.Http;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// Derives the RBAC attributes of a request from its method, path and query,
/// following the rules of the API server's request-info resolver.
/// </summary>
internal static class RequestAttributes
{
    public static RecordedRequest Describe(HttpRequest request, string body)
    {
        var path = request.Path.Value ?? "/";
        var query = request.QueryString.Value ?? "";
        var method = request.Method.ToUpperInvariant();
        var selector = request.Query.TryGetValue("labelSelector", out var s) ? s.ToString() : null;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);

        var nonResource = new RecordedRequest(method, path, query, method.ToLowerInvariant(), "", "", "", "", "", selector, body, 0, request.Headers.UserAgent.ToString());
        int rest;
        string group;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            (group, rest) = ("", 2);
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            (group, rest) = (parts[1], 3);
        }
        else
        {
            return nonResource;
        }

        var watchPrefix = parts[rest] == "watch";
        if (watchPrefix)
        {
            rest++;
        }

        var segments = parts.Skip(rest).ToArray();
        var ns = "";
        if (segments.Length >= 1 && segments[0] == "namespaces" && segments.Length >= 2)
        {
            ns = segments[1];
            segments = segments.Length > 2 ? segments[2..] : ["namespaces", ns];
        }

        if (segments.Length == 0)
        {
            return nonResource;
        }

        var resource = segments[0];
        var name = segments.Length > 1 ? segments[1] : "";
        var subresource = segments.Length > 2 ? string.Join('/', segments[2..]) : "";
        var verb = Verb(method, name, watchPrefix || IsTrue(request.Query["watch"]));
        return nonResource with
        {
            Verb = verb,
            ApiGroup = group,
            Resource = resource,
            Subresource = subresource,
            Namespace = ns,
            Name = name,
        };
    }

    /// <summary>Boolean query values as the API server parses them (strconv.ParseBool).</summary>
    public static bool IsTrue(string? value) => value is "1" or "t" or "T" or "true" or "TRUE" or "True";

    private static string Verb(string method, string name, bool watch) => method switch
    {
        "GET" or "HEAD" when watch => "watch",
        "GET" or "HEAD" => name.Length == 0 ? "list" : "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => name.Length == 0 ? "deletecollection" : "delete",
        _ => method.ToLowerInvariant(),
    };
}
