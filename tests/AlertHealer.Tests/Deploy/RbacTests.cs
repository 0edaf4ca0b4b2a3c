using k8s;
using k8s.Models;

namespace AlertHealer.Tests.Deploy;

public class RbacTests
{
    [Fact]
    public void TheCalicoSystemRoleGrantsExactlyPodsGetListWatchDeleteAndEventsCreate()
    {
        var role = DeployManifests.Named<V1Role>("calico-system", "alerthealer");

        Assert.Equal(2, role.Rules.Count);
        var pods = role.Rules[0];
        Assert.Equal([""], pods.ApiGroups);
        Assert.Equal(["pods"], pods.Resources);
        Assert.Equal(["delete", "get", "list", "watch"], pods.Verbs.Order(StringComparer.Ordinal));
        var events = role.Rules[1];
        Assert.Equal(["events.k8s.io"], events.ApiGroups);
        Assert.Equal(["events"], events.Resources);
        Assert.Equal(["create"], events.Verbs);
        foreach (var rule in role.Rules)
        {
            Assert.True(rule.ResourceNames is null || rule.ResourceNames.Count == 0);
            Assert.True(rule.NonResourceURLs is null || rule.NonResourceURLs.Count == 0);
        }
    }

    // Leases for single-flight, and Warning Events about AlertHealer's own pod (a failed preflight).
    [Fact]
    public void TheOwnNamespaceRoleGrantsOnlyLeasesForSingleFlightAndEventsCreate()
    {
        var role = DeployManifests.Named<V1Role>("alerthealer", "alerthealer");

        Assert.Equal(2, role.Rules.Count);
        var leases = role.Rules[0];
        Assert.Equal(["coordination.k8s.io"], leases.ApiGroups);
        Assert.Equal(["leases"], leases.Resources);
        Assert.Equal(["create", "get", "update"], leases.Verbs.Order(StringComparer.Ordinal));
        var events = role.Rules[1];
        Assert.Equal(["events.k8s.io"], events.ApiGroups);
        Assert.Equal(["events"], events.Resources);
        Assert.Equal(["create"], events.Verbs);
    }

    [Fact]
    public void NoRoleGrantsSecretsLogsExecOrWildcards()
    {
        foreach (var role in DeployManifests.All<V1Role>())
        {
            foreach (var rule in role.Rules)
            {
                var everything = rule.ApiGroups.Concat(rule.Resources).Concat(rule.Verbs).ToList();
                Assert.DoesNotContain("*", everything);
                Assert.DoesNotContain("secrets", rule.Resources);
                Assert.DoesNotContain(rule.Resources, r => r.Contains('/', StringComparison.Ordinal));
                Assert.DoesNotContain("escalate", rule.Verbs);
                Assert.DoesNotContain("bind", rule.Verbs);
                Assert.DoesNotContain("impersonate", rule.Verbs);
            }
        }
    }

    // selfsubjectaccessreviews are cluster-scoped, so the preflight's grant can only be a
    // ClusterRole; it answers questions about AlertHealer's own rights and grants nothing else.
    [Fact]
    public void TheOnlyClusterWideGrantIsSelfSubjectAccessReviewCreateForThePreflight()
    {
        var role = DeployManifests.Single<V1ClusterRole>();
        var rule = Assert.Single(role.Rules);
        Assert.Equal(["authorization.k8s.io"], rule.ApiGroups);
        Assert.Equal(["selfsubjectaccessreviews"], rule.Resources);
        Assert.Equal(["create"], rule.Verbs);
        Assert.True(rule.ResourceNames is null || rule.ResourceNames.Count == 0);
        Assert.True(rule.NonResourceURLs is null || rule.NonResourceURLs.Count == 0);

        var binding = DeployManifests.Single<V1ClusterRoleBinding>();
        Assert.Equal("ClusterRole", binding.RoleRef.Kind);
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "alerthealer", "alerthealer"), (subject.Kind, subject.Name, subject.NamespaceProperty));

        var kinds = DeployManifests.All<IKubernetesObject>().Select(o => o.Kind).ToList();
        Assert.Single(kinds, k => k == "ClusterRole");
        Assert.Single(kinds, k => k == "ClusterRoleBinding");
    }

    [Fact]
    public void EachRoleIsBoundToTheAlertHealerServiceAccountInItsOwnNamespace()
    {
        foreach (var role in DeployManifests.All<V1Role>())
        {
            var ns = role.Metadata.NamespaceProperty;
            var binding = DeployManifests.Named<V1RoleBinding>(ns, role.Metadata.Name);

            Assert.Equal("Role", binding.RoleRef.Kind);
            Assert.Equal("rbac.authorization.k8s.io", binding.RoleRef.ApiGroup);
            Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
            var subject = Assert.Single(binding.Subjects);
            Assert.Equal("ServiceAccount", subject.Kind);
            Assert.Equal("alerthealer", subject.Name);
            Assert.Equal("alerthealer", subject.NamespaceProperty);
        }
    }

    [Fact]
    public void EveryRoleBindingPointsAtARoleOfTheBase()
    {
        foreach (var binding in DeployManifests.All<V1RoleBinding>())
        {
            Assert.Contains(
                DeployManifests.All<V1Role>(),
                r => r.Metadata.NamespaceProperty == binding.Metadata.NamespaceProperty
                    && r.Metadata.Name == binding.RoleRef.Name);
        }
    }
}
