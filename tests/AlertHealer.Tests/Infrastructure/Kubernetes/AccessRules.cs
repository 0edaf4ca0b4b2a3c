using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>Bearer tokens the TokenReview API knows and the grants the SubjectAccessReview API answers from.</summary>
internal sealed class AccessRules
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, V1UserInfo> users = new(StringComparer.Ordinal);
    private readonly List<Grant> grants = [];
    private readonly HashSet<(string Verb, string Resource, string Namespace)> clientDenials = [];

    public void AddUser(string token, string username, IEnumerable<string> groups)
    {
        lock (gate)
        {
            users[token] = new V1UserInfo { Username = username, Uid = Guid.NewGuid().ToString(), Groups = [.. groups] };
        }
    }

    /// <summary>Grants <paramref name="verb"/> on <paramref name="resource"/> in <paramref name="ns"/> to a user or group name; "*" matches anything.</summary>
    public void Allow(string subject, string verb, string resource, string ns)
    {
        lock (gate)
        {
            grants.Add(new Grant(subject, verb, resource, ns));
        }
    }

    public V1UserInfo? Authenticate(string token)
    {
        lock (gate)
        {
            return users.TryGetValue(token, out var user) ? ResourceVersionClock.Copy(user) : null;
        }
    }

    /// <summary>The matching grant's description, or null when nothing allows the request.</summary>
    public string? Authorize(string? user, IEnumerable<string> groups, V1ResourceAttributes attributes)
    {
        var subjects = new HashSet<string>(groups, StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(user))
        {
            subjects.Add(user);
        }

        var resource = string.IsNullOrEmpty(attributes.Subresource) ? attributes.Resource : $"{attributes.Resource}/{attributes.Subresource}";
        lock (gate)
        {
            var grant = grants.FirstOrDefault(g =>
                subjects.Contains(g.Subject)
                && Matches(g.Verb, attributes.Verb)
                && Matches(g.Resource, resource)
                && Matches(g.Namespace, attributes.NamespaceProperty ?? ""));
            return grant is null ? null : $"RBAC: allowed by fake grant of {grant.Verb} {grant.Resource} in \"{grant.Namespace}\" to \"{grant.Subject}\"";
        }
    }

    /// <summary>From now on, SelfSubjectAccessReview says the API client (AlertHealer) may not <paramref name="verb"/> <paramref name="resource"/> in <paramref name="ns"/> ("" for cluster scope).</summary>
    public void DenyClient(string verb, string resource, string ns)
    {
        lock (gate)
        {
            clientDenials.Add((verb, resource, ns));
        }
    }

    /// <summary>The API client's own rights: what deploy/ grants the alerthealer ServiceAccount, less what a test denied. Null when not allowed.</summary>
    public string? AuthorizeClient(V1ResourceAttributes attributes)
    {
        var ns = attributes.NamespaceProperty ?? "";
        lock (gate)
        {
            if (clientDenials.Contains((attributes.Verb ?? "", attributes.Resource ?? "", ns)))
            {
                return null;
            }
        }

        var grant = ShippedGrants.All.FirstOrDefault(g =>
            g.ApiGroup == (attributes.Group ?? "") && g.Resource == attributes.Resource && g.Verb == attributes.Verb
            && (g.Namespace == "*" || g.Namespace == ns)
            && string.IsNullOrEmpty(attributes.Subresource) && string.IsNullOrEmpty(attributes.Name));
        return grant?.Reason;
    }

    private static bool Matches(string pattern, string? value) => pattern == "*" || string.Equals(pattern, value ?? "", StringComparison.Ordinal);

    private sealed record Grant(string Subject, string Verb, string Resource, string Namespace);
}
