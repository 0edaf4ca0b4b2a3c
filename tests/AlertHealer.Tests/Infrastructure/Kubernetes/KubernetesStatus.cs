using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// Builds metav1.Status failure bodies exactly as the API server writes them.
/// (The client's V1Status cannot be serialized: its converter only reads.)
/// </summary>
internal static class KubernetesStatus
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ApiResponse NotFound(string group, string resource, string name) =>
        Failure(404, "NotFound", $"{Qualified(group, resource)} \"{name}\" not found", Details(group, resource, name));

    public static ApiResponse AlreadyExists(string group, string resource, string name) =>
        Failure(409, "AlreadyExists", $"{Qualified(group, resource)} \"{name}\" already exists", Details(group, resource, name));

    public static ApiResponse Conflict(string group, string resource, string name, string cause) =>
        Failure(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} \"{name}\": {cause}", Details(group, resource, name));

    public static ApiResponse PreconditionFailed(string group, string resource, string name, string message) =>
        Failure(409, "Conflict", message, Details(group, resource, name));

    /// <summary>422 Invalid for one field, e.g. kind "Lease", cause reason "FieldValueRequired".</summary>
    public static ApiResponse Invalid(string kind, string group, string name, string field, string causeReason, string problem) =>
        Invalid(kind, group, name, [new FieldError(field, causeReason, problem)]);

    /// <summary>422 Invalid for every field error, one cause each; the message lists them like the server's aggregate ("[a, b]" when several).</summary>
    public static ApiResponse Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var details = Details(group, kind, name);
        details["causes"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject { ["reason"] = e.Reason, ["message"] = e.Body, ["field"] = e.Field })]);
        var messages = errors.Select(e => $"{e.Field}: {e.Body}").Distinct().ToList();
        var all = messages.Count == 1 ? messages[0] : $"[{string.Join(", ", messages)}]";
        return Failure(422, "Invalid", $"{Qualified(group, kind)} \"{name}\" is invalid: {all}", details);
    }

    public static ApiResponse BadRequest(string message) => Failure(400, "BadRequest", message, null);

    /// <summary>The RBAC authorizer's refusal, e.g. for a SelfSubjectAccessReview the caller may not create.</summary>
    public static ApiResponse Forbidden(string user, string verb, string group, string resource, string ns)
    {
        var where = ns.Length == 0 ? "at the cluster scope" : $"in the namespace \"{ns}\"";
        return Failure(403, "Forbidden",
            $"{Qualified(group, resource)} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {where}",
            Details(group, resource, ""));
    }

    public static ApiResponse Unauthorized() => Failure(401, "Unauthorized", "Unauthorized", null);

    public static ApiResponse ResourceNotFound() => Failure(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiResponse MethodNotAllowed() =>
        Failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new JsonObject());

    public static ApiResponse InternalError(string cause) =>
        Failure(500, "InternalError", $"Internal error occurred: {cause}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = cause }) });

    public static string Expired(long requested, long oldest) =>
        Body(410, "Expired", $"too old resource version: {requested} ({oldest})", null);

    /// <summary>An injected failure for <paramref name="request"/> with the reason the API server uses for that code.</summary>
    public static ApiResponse Injected(int code, RecordedRequest request)
    {
        var (group, resource, name) = (request.ApiGroup, request.Resource, request.Name);
        return code switch
        {
            400 => BadRequest("the request is invalid (injected fault)"),
            401 => Unauthorized(),
            403 => Failure(403, "Forbidden", $"{Qualified(group, resource)} \"{name}\" is forbidden: injected fault", Details(group, resource, name)),
            404 => NotFound(group, resource, name),
            409 => Conflict(group, resource, name, "the object has been modified; please apply your changes to the latest version and try again"),
            429 => Failure(429, "TooManyRequests", "Too many requests, please try again later.", new JsonObject { ["retryAfterSeconds"] = 1 }),
            500 => InternalError("injected fault"),
            503 => Failure(503, "ServiceUnavailable", "the server is currently unable to handle the request", null),
            504 => Failure(504, "Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded", null),
            _ => Failure(code, code >= 500 ? "InternalError" : "BadRequest", $"injected fault ({code})", null),
        };
    }

    private static string Qualified(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";

    private static JsonObject Details(string group, string kind, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        return details;
    }

    private static ApiResponse Failure(int code, string reason, string message, JsonObject? details) =>
        new(code, Body(code, reason, message, details));

    private static string Body(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status.ToJsonString(Options);
    }
}
