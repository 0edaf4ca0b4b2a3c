namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// One request the fake API server answered, described in Kubernetes RBAC terms.
/// Empty strings mean "not applicable" (core API group, cluster scope, collection, no subresource).
/// </summary>
/// <param name="Method">HTTP method, upper case.</param>
/// <param name="Path">Request path without the query.</param>
/// <param name="Query">Raw query string including the leading '?', or empty.</param>
/// <param name="Verb">get, list, watch, create, update, patch, delete, deletecollection; for non-resource URLs the lower-case HTTP method.</param>
/// <param name="ApiGroup">"" for the core group.</param>
/// <param name="Resource">Plural resource name, "" for non-resource URLs such as /version.</param>
/// <param name="Subresource">Subresource such as "status", or "".</param>
/// <param name="Namespace">Namespace, or "" when cluster-scoped.</param>
/// <param name="Name">Object name, or "" for collections.</param>
/// <param name="LabelSelector">The labelSelector query parameter, if any.</param>
/// <param name="Body">Request body text, or "".</param>
/// <param name="StatusCode">HTTP status answered; 0 while the request is still being handled.</param>
/// <param name="UserAgent">The client's User-Agent header, or "".</param>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    string Verb,
    string ApiGroup,
    string Resource,
    string Subresource,
    string Namespace,
    string Name,
    string? LabelSelector,
    string Body,
    int StatusCode,
    string UserAgent = "")
{
    /// <summary>True for API resource requests, false for non-resource URLs (/version, /api, /apis, ...).</summary>
    public bool IsResourceRequest => Resource.Length > 0;

    /// <summary>The resource as RBAC names it when a subresource is involved, e.g. "pods/status".</summary>
    public string ResourceWithSubresource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    internal bool Is(string verb, string resource) =>
        string.Equals(Verb, verb, StringComparison.Ordinal) && string.Equals(ResourceWithSubresource, resource, StringComparison.Ordinal);
}
