using System.Text.Json;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Deploy;

// Least privilege proven from what AlertHealer really asked the API server for: every
// request is allowed by a Role in deploy/, and every rule there is used by some request.
// tests/run.sh runs this after the whole suite, over the ledger every fake API server wrote;
// run alone, it records the main scenarios itself.
[Trait("Category", "LeastPrivilege")]
public sealed class LeastPrivilegeTests
{
    private sealed record Access(string Verb, string ApiGroup, string Resource, string Namespace, string? NonResourceUrl);

    // Paths every authenticated identity may GET through the default discovery ClusterRoles.
    private static readonly string[] PublicPaths = ["/version", "/api", "/apis", "/healthz", "/readyz", "/livez"];

    // The built-in ClusterRole the optional kubernetes-auth component binds, as Kubernetes defines it.
    private static readonly Access[] AuthDelegator =
    [
        new("create", "authentication.k8s.io", "tokenreviews", "", null),
        new("create", "authorization.k8s.io", "subjectaccessreviews", "", null),
    ];

    private static V1ClusterRoleBinding AuthDelegatorBinding() =>
        Assert.Single(KubernetesManifests.LoadAllFromString(
            File.ReadAllText(RepoFiles.PathOf("deploy/components/kubernetes-auth/clusterrolebinding.yaml")), strict: true).OfType<V1ClusterRoleBinding>());

    // Besides the optional auth-delegator binding, the one cluster-wide grant is the preflight's
    // selfsubjectaccessreviews create: cluster-scoped by nature, and it only answers what
    // AlertHealer itself may do (every authenticated user has it through system:basic-user;
    // the explicit grant is for hardened clusters that removed that default).
    [Fact]
    public void TheClusterWideGrantsAreThePreflightReviewAndTheOptionalAuthDelegatorBinding()
    {
        var binding = AuthDelegatorBinding();

        Assert.Equal("system:auth-delegator", binding.RoleRef.Name);
        Assert.Equal("alerthealer", Assert.Single(binding.Subjects).Name);
        var preflight = Assert.Single(DeployManifests.All<V1ClusterRole>());
        Assert.Equal([new Access("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", null)], ClusterGrants());
        Assert.Equal(preflight.Metadata.Name, Assert.Single(DeployManifests.All<V1ClusterRoleBinding>()).RoleRef.Name);
    }

    [Fact]
    public async Task EveryRequestIsAllowedByTheShippedRoles()
    {
        var accesses = await RecordedAccessAsync();
        var roles = DeployManifests.All<V1Role>().ToList();

        var denied = accesses
            .Where(a => a.NonResourceUrl is null
                ? !roles.Any(r => Allows(r, a)) && !AuthDelegator.Contains(a) && !ClusterGrants().Contains(a)
                : !PublicPaths.Contains(a.NonResourceUrl.TrimEnd('/')))
            .Distinct()
            .ToList();

        Assert.True(denied.Count == 0, "requests no Role allows: " + string.Join("; ", denied));
    }

    [Fact]
    public async Task EveryGrantedRuleIsUsed()
    {
        var accesses = await RecordedAccessAsync();

        var unused = (
            from role in DeployManifests.All<V1Role>()
            from rule in role.Rules
            from verb in rule.Verbs
            from resource in rule.Resources
            where !accesses.Any(a => a.Verb == verb && a.Resource == resource && a.Namespace == role.Metadata.NamespaceProperty
                && rule.ApiGroups.Contains(a.ApiGroup))
            select $"{role.Metadata.NamespaceProperty}/{role.Metadata.Name}: {verb} {resource}").ToList();

        unused.AddRange(ClusterGrants().Where(g => !accesses.Contains(g)).Select(g => $"ClusterRole: {g.Verb} {g.Resource}"));
        unused.AddRange(AuthDelegator.Where(g => !accesses.Contains(g)).Select(g => $"system:auth-delegator: {g.Verb} {g.Resource}"));

        Assert.True(unused.Count == 0, "granted but never used: " + string.Join("; ", unused));
    }

    // What the base's ClusterRoles grant through its ClusterRoleBindings, cluster-scoped (namespace "").
    private static List<Access> ClusterGrants() => (
        from binding in DeployManifests.All<V1ClusterRoleBinding>()
        from role in DeployManifests.All<V1ClusterRole>()
        where role.Metadata.Name == binding.RoleRef.Name
        from rule in role.Rules
        from verb in rule.Verbs
        from resource in rule.Resources
        from apiGroup in rule.ApiGroups
        select new Access(verb, apiGroup, resource, "", null)).Distinct().ToList();

    private static bool Allows(V1Role role, Access a) =>
        role.Metadata.NamespaceProperty == a.Namespace && role.Rules.Any(rule =>
            rule.ApiGroups.Contains(a.ApiGroup) && rule.Resources.Contains(a.Resource) && rule.Verbs.Contains(a.Verb)
            && (rule.ResourceNames is null || rule.ResourceNames.Count == 0));

    private static async Task<IReadOnlyList<Access>> RecordedAccessAsync()
    {
        var ledger = Environment.GetEnvironmentVariable("ALERTHEALER_TEST_LEDGER");
        var complete = Environment.GetEnvironmentVariable("ALERTHEALER_LEDGER_COMPLETE") == "1";
        if (!complete || ledger is null || !File.Exists(ledger))
        {
            ledger = Path.Combine(Directory.CreateTempSubdirectory("alerthealer-rbac-").FullName, "ledger.jsonl");
            await RecordScenariosAsync(ledger);
        }
        return File.ReadLines(ledger).Where(l => l.Length > 0).Select(Parse).ToList();
    }

    private static Access Parse(string line)
    {
        var e = JsonSerializer.Deserialize<Dictionary<string, string>>(line)!;
        var resource = e["subresource"] is { Length: > 0 } sub ? $"{e["resource"]}/{sub}" : e["resource"];
        return new Access(e["verb"], e["apiGroup"], resource, e["namespace"], e.GetValueOrDefault("nonResourceURL"));
    }

    // What a production instance does: readiness, a webhook restart verified by watch and
    // reported as an Event, a manual restart, each with its lease.
    private static async Task RecordScenariosAsync(string ledger)
    {
        var time = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time, ledger);
        kube.ReplacementPolicy = ReplacementPolicy.RecreateNotReady;
        // The preflight at start, before the pods exist: access reviews and a Warning Event about its own pod.
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Preflight:Enabled"] = "true", kube: kube, time: time);
        await kube.WaitForRequestAsync(r => r.Is("create", "events") && r.Namespace == "alerthealer", TimeSpan.FromSeconds(30));
        app.WithCalicoSystem();
        (await app.Anonymous.GetAsync("/readyz")).EnsureSuccessStatusCode();
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        // The replacement becomes Ready only once the verifier is watching for it.
        await kube.WaitForRequestAsync(r => r.Verb == "watch", TimeSpan.FromSeconds(10));
        var replacement = kube.Pods("calico-system").Single(p => p.Metadata.Labels["k8s-app"] == "whisker");
        kube.SetReady("calico-system", replacement.Metadata.Name, true);
        await app.WaitForAuditAsync(e => e.Verification == Verifications.Healed, "healed");
        // The restart's Event is written in the background.
        await kube.WaitForRequestAsync(r => r.Is("create", "events"), TimeSpan.FromSeconds(10));
        using var manual = await app.Operator.PostAsync("/remediate",
            new StringContent("{\"policy\":\"whisker\",\"reason\":\"rbac proof\"}", System.Text.Encoding.UTF8, "application/json"));
        manual.EnsureSuccessStatusCode();

        // The optional Kubernetes-native caller.
        await using var native = (await TestApp.StartAsync(s => s["AlertHealer:Auth:KubernetesAuth"] = "true", kube: kube, time: time));
        kube.AddUser("rbac-proof-user-token-0123456789", "proof", []);
        kube.Allow("proof", "delete", "pods", "calico-system");
        using var byUser = await native.Client("rbac-proof-user-token-0123456789").PostAsync("/remediate",
            new StringContent("{\"policy\":\"whisker\",\"reason\":\"rbac proof\",\"dryRun\":true}", System.Text.Encoding.UTF8, "application/json"));
        byUser.EnsureSuccessStatusCode();
    }
}
