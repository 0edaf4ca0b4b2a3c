using AlertHealer.Tests.Deploy;
using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// What the shipped RBAC in deploy/ grants the alerthealer ServiceAccount, as the API server's RBAC authorizer
/// would answer a SelfSubjectAccessReview for it: RoleBindings grant in their namespace, ClusterRoleBindings everywhere.
/// </summary>
internal static class ShippedGrants
{
    public const string ServiceAccount = "system:serviceaccount:alerthealer:alerthealer";

    private static readonly Lazy<IReadOnlyList<Grant>> LazyAll = new(Load);

    public static IReadOnlyList<Grant> All => LazyAll.Value;

    /// <summary>One verb on one resource; Namespace "*" for a ClusterRole's grant. Reason is the RBAC authorizer's text.</summary>
    internal sealed record Grant(string ApiGroup, string Resource, string Verb, string Namespace, string Reason);

    private static List<Grant> Load()
    {
        var grants = new List<Grant>();
        foreach (var binding in DeployManifests.All<V1RoleBinding>().Where(b => Binds(b.Subjects)))
        {
            var ns = binding.Metadata.NamespaceProperty;
            var role = DeployManifests.All<V1Role>().Single(r => r.Metadata.NamespaceProperty == ns && r.Metadata.Name == binding.RoleRef.Name);
            var reason = $"RBAC: allowed by RoleBinding \"{binding.Metadata.Name}/{ns}\" of Role \"{role.Metadata.Name}\" to ServiceAccount \"alerthealer/alerthealer\"";
            grants.AddRange(Expand(role.Rules, ns, reason));
        }

        foreach (var binding in DeployManifests.All<V1ClusterRoleBinding>().Where(b => Binds(b.Subjects)))
        {
            var role = DeployManifests.All<V1ClusterRole>().Single(r => r.Metadata.Name == binding.RoleRef.Name);
            var reason = $"RBAC: allowed by ClusterRoleBinding \"{binding.Metadata.Name}\" of ClusterRole \"{role.Metadata.Name}\" to ServiceAccount \"alerthealer/alerthealer\"";
            grants.AddRange(Expand(role.Rules, "*", reason));
        }

        return grants;
    }

    private static bool Binds(IEnumerable<Rbacv1Subject>? subjects) =>
        subjects?.Any(s => s is { Kind: "ServiceAccount", Name: "alerthealer", NamespaceProperty: "alerthealer" }) == true;

    private static IEnumerable<Grant> Expand(IEnumerable<V1PolicyRule> rules, string ns, string reason) =>
        from rule in rules
        from apiGroup in rule.ApiGroups
        from resource in rule.Resources
        from verb in rule.Verbs
        select new Grant(apiGroup, resource, verb, ns, reason);
}
