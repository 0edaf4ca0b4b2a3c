using System.Text.Json.Nodes;
using AlertHealer.Tests.Detection;
using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Deploy;

// deploy/terraform mirrors the kustomize base in deploy/. Terraform itself is not run: every
// file is parsed with HashiCorp's HCL parser, and what must not drift (RBAC, security contexts,
// probes, network policy, settings) is compared with deploy/*.yaml as it is on disk.
public class TerraformModuleTests
{
    private static readonly string[] Probes = ["startupProbe", "livenessProbe", "readinessProbe"];

    private static async Task<JsonObject> DeploymentAsync() =>
        await TerraformModule.ResourceAsync("kubernetes_deployment_v1", "alerthealer");

    private static async Task<JsonObject> PodSpecAsync() =>
        TerraformModule.Block(await DeploymentAsync(), "spec", "template", "spec");

    private static async Task<JsonObject> ContainerAsync() => TerraformModule.Block(await PodSpecAsync(), "container");

    private static YamlNode YamlPod => DeployYaml.At(DeployYaml.Object("deployment.yaml", "Deployment"), "spec", "template", "spec");

    private static YamlNode YamlContainer => DeployYaml.At(YamlPod, "containers", 0);

    private static async Task<JsonNode?> ResolvedAsync(JsonNode? node) =>
        TerraformModule.Resolve(node, await TerraformModule.SectionAsync("variable"), await TerraformModule.LocalsAsync());

    private static void Same(YamlNode expected, JsonNode? actual, string what) =>
        Assert.True(
            TerraformModule.Canonical(expected).ToJsonString() == TerraformModule.Canonical(actual).ToJsonString(),
            $"{what} differs.\n deploy/*.yaml:    {TerraformModule.Canonical(expected).ToJsonString()}\n deploy/terraform: {TerraformModule.Canonical(actual).ToJsonString()}");

    [Fact]
    public async Task EveryTerraformFileParsesWithHashiCorpsHclParser()
    {
        var files = TerraformModule.Files;
        Assert.NotEmpty(files);

        var parsed = await TerraformModule.ParsedAsync();

        var failures = parsed.Where(kv => kv.Value.ContainsKey("error")).Select(kv => $"{kv.Key}: {kv.Value["error"]}").ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.All(parsed.Values, file => Assert.NotEmpty(file));
    }

    [Fact]
    public async Task TheParserCheckRejectsBrokenHcl()
    {
        var dir = Directory.CreateTempSubdirectory("hcl-");
        try
        {
            var broken = Path.Combine(dir.FullName, "broken.tf");
            await File.WriteAllTextAsync(broken, "resource \"kubernetes_role_v1\" \"x\" {\n  rule {\n    verbs = [\"get\"\n  }\n");

            var parsed = await TerraformModule.ParseAsync([broken]);

            Assert.True(parsed[broken].ContainsKey("error"), parsed[broken].ToJsonString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheProviderIsPinnedAndTerraformIsNewEnoughForCrossVariableValidation()
    {
        var terraform = Assert.Single((await TerraformModule.ParsedAsync()).Values, f => f.ContainsKey("terraform"))["terraform"]![0]!.AsObject();
        var kubernetes = TerraformModule.Block(terraform, "required_providers")["kubernetes"]!.AsObject();

        Assert.Equal("hashicorp/kubernetes", (string?)kubernetes["source"]);
        // A lower and an upper bound: a new major version is a decision, not an accident.
        Assert.Matches(@"^>= \d+\.\d+\.\d+, < \d+\.0\.0$", (string?)kubernetes["version"]);
        Assert.Equal(">= 1.9.0", (string?)terraform["required_version"]);
    }

    [Fact]
    public async Task EveryRoleOfTheBaseHasTheSameRulesInTheModule()
    {
        var yamlRoles = DeployManifests.All<k8s.Models.V1Role>().ToList();
        var tfRoles = await TerraformModule.ResourcesAsync("kubernetes_role_v1");
        Assert.NotEmpty(yamlRoles);
        Assert.Equal(yamlRoles.Count, tfRoles.Count);

        foreach (var role in yamlRoles)
        {
            var ns = role.Metadata.NamespaceProperty;
            // calico-system -> kubernetes_role_v1.calico_system, alerthealer -> .alerthealer
            var tf = await TerraformModule.ResourceAsync("kubernetes_role_v1", ns.Replace('-', '_'));
            var yamlFile = DeployManifests.Resources.Single(f => DeployManifests.LoadFile(f).OfType<k8s.Models.V1Role>().Any(r => r.Metadata.NamespaceProperty == ns));
            var yamlRules = DeployYaml.At(DeployYaml.Object(yamlFile, "Role", ns), "rules");

            var expected = ((YamlSequenceNode)yamlRules).Children.Select(r => Rule(TerraformModule.Canonical(r))).Order(StringComparer.Ordinal);
            var actual = TerraformModule.Blocks(tf, "rule").Select(r => Rule(TerraformModule.Canonical(r))).Order(StringComparer.Ordinal);
            Assert.Equal(expected, actual);
        }
        // The one cluster-wide grant: the preflight's SelfSubjectAccessReview, the same in both.
        Assert.Equal(["preflight"], (await TerraformModule.ResourcesAsync("kubernetes_cluster_role_v1")).Select(kv => kv.Key));
        var tfClusterRole = await TerraformModule.ResourceAsync("kubernetes_cluster_role_v1", "preflight");
        var yamlClusterRules = DeployYaml.At(DeployYaml.Object("rbac-preflight.yaml", "ClusterRole"), "rules");
        Assert.Equal(
            ((YamlSequenceNode)yamlClusterRules).Children.Select(r => Rule(TerraformModule.Canonical(r))),
            TerraformModule.Blocks(tfClusterRole, "rule").Select(r => Rule(TerraformModule.Canonical(r))));
        Assert.Equal(["preflight"], (await TerraformModule.ResourcesAsync("kubernetes_cluster_role_binding_v1")).Select(kv => kv.Key));
        var binding = await TerraformModule.ResourceAsync("kubernetes_cluster_role_binding_v1", "preflight");
        Assert.Equal("${kubernetes_cluster_role_v1.preflight.metadata[0].name}", (string?)TerraformModule.Block(binding, "role_ref")["name"]);
        Assert.Equal("${kubernetes_service_account_v1.alerthealer.metadata[0].name}", (string?)TerraformModule.Block(binding, "subject")["name"]);
    }

    // A rule as text with each list sorted: the order of verbs means nothing.
    private static string Rule(JsonNode rule) => string.Join(" | ",
        rule.AsObject().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            $"{kv.Key}=[{string.Join(',', (kv.Value is JsonArray a ? a.Select(v => (string)v!) : [(string)kv.Value!]).Order(StringComparer.Ordinal))}]"));

    [Fact]
    public async Task EachRoleIsBoundToTheModulesServiceAccount()
    {
        var roles = await TerraformModule.ResourcesAsync("kubernetes_role_v1");
        foreach (var (name, _) in roles)
        {
            var binding = await TerraformModule.ResourceAsync("kubernetes_role_binding_v1", name);
            var roleRef = TerraformModule.Block(binding, "role_ref");
            var subject = TerraformModule.Block(binding, "subject");

            Assert.Equal("Role", (string?)roleRef["kind"]);
            Assert.Equal($"${{kubernetes_role_v1.{name}.metadata[0].name}}", (string?)roleRef["name"]);
            Assert.Equal("ServiceAccount", (string?)subject["kind"]);
            Assert.Equal("${kubernetes_service_account_v1.alerthealer.metadata[0].name}", (string?)subject["name"]);
            Assert.Equal("${local.namespace}", (string?)subject["namespace"]);
        }
        var calico = TerraformModule.Block(await TerraformModule.ResourceAsync("kubernetes_role_v1", "calico_system"), "metadata");
        Assert.Equal("calico-system", (string?)await ResolvedAsync(calico["namespace"]));
    }

    [Fact]
    public async Task TheContainerSecurityContextEqualsTheBases()
    {
        var container = await ContainerAsync();

        Same(DeployYaml.At(YamlContainer, "securityContext"), TerraformModule.Block(container, "security_context"), "the container securityContext");
    }

    [Fact]
    public async Task ThePodSecurityContextEqualsTheBases()
    {
        var pod = await PodSpecAsync();

        Same(DeployYaml.At(YamlPod, "securityContext"), TerraformModule.Block(pod, "security_context"), "the pod securityContext");
        Assert.Equal("true", TerraformModule.Canonical(pod["automount_service_account_token"]).ToString());
        Assert.Equal("false", TerraformModule.Canonical(pod["enable_service_links"]).ToString());
    }

    [Fact]
    public async Task TheProbesResourcesAndPortEqualTheBases()
    {
        var container = await ContainerAsync();

        foreach (var probe in Probes)
        {
            var tfName = string.Concat(probe.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));
            Same(DeployYaml.At(YamlContainer, probe), TerraformModule.Block(container, tfName), probe);
        }
        Same(DeployYaml.At(YamlContainer, "resources"), TerraformModule.Block(container, "resources"), "resources");
        Same(DeployYaml.At(YamlContainer, "ports"), await ResolvedAsync(container["port"]), "ports");
    }

    [Fact]
    public async Task WithSqliteTheContainerGetsEverySettingOfTheBase()
    {
        var locals = await TerraformModule.LocalsAsync();
        var container = await ContainerAsync();
        // Plain values: the literal maps of main.tf that the sqlite store uses.
        var tfValues = new Dictionary<string, string>();
        foreach (var map in new[] { "base_env", "sqlite_env" })
        {
            foreach (var (name, value) in (await ResolvedAsync(locals[map]))!.AsObject()) tfValues[name] = TerraformModule.Canonical(value).ToString();
        }
        Assert.Equal("${merge(local.base_env, local.sqlite ? local.sqlite_env : local.postgres_env, var.extra_env)}", (string?)locals["env"]);
        var tfFrom = TerraformModule.Blocks(container, "env").ToDictionary(e => (string)e["name"]!, e => TerraformModule.Canonical(e["value_from"]).ToJsonString());

        foreach (YamlMappingNode env in ((YamlSequenceNode)DeployYaml.At(YamlContainer, "env")).Children)
        {
            var name = Yaml.Scalar(env, "name")!;
            if (Yaml.Scalar(env, "value") is { } value)
            {
                Assert.True(tfValues.TryGetValue(name, out var tf), $"the module does not set {name}");
                Assert.Equal(value, tf);
            }
            else
            {
                Assert.True(tfFrom.TryGetValue(name, out var tf), $"the module does not set {name} from a field");
                Assert.Equal(TerraformModule.Canonical(DeployYaml.At(env, "valueFrom")).ToJsonString(), tf);
            }
        }
    }

    [Fact]
    public async Task TheTokensSecretHasTheBasesKeysAndThePodMountsEachOfThem()
    {
        var yamlKeys = Yaml.StringMap(DeployYaml.Object("secret.yaml", "Secret"), "stringData").Keys.Order(StringComparer.Ordinal);
        var secret = await TerraformModule.ResourceAsync("kubernetes_secret_v1", "tokens");
        var locals = await TerraformModule.LocalsAsync();

        Assert.Equal(yamlKeys, secret["data"]!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal));
        Assert.Equal(yamlKeys, locals["token_files"]!.AsArray().Select(k => (string)k!).Order(StringComparer.Ordinal));
        Assert.Equal("${var.existing_tokens_secret == null ? 1 : 0}", (string?)secret["count"]);
    }

    [Fact]
    public async Task ThePvcExistsOnlyWithSqliteAndSqliteMeansOneReplicaAndRecreate()
    {
        var pvc = await TerraformModule.ResourceAsync("kubernetes_persistent_volume_claim_v1", "data");
        var spec = TerraformModule.Block(await DeploymentAsync(), "spec");
        var locals = await TerraformModule.LocalsAsync();

        Assert.Equal("${var.store_provider == \"sqlite\" ? 1 : 0}", (string?)pvc["count"]);
        Assert.Equal("${var.store_provider == \"sqlite\"}", (string?)locals["sqlite"]);
        Assert.Equal("${local.sqlite ? \"Recreate\" : \"RollingUpdate\"}", (string?)TerraformModule.Block(spec, "strategy")["type"]);
        Assert.Equal("${var.replicas}", (string?)spec["replicas"]);
        Assert.Equal("Recreate", Yaml.Scalar((YamlMappingNode)DeployYaml.At(DeployYaml.Object("deployment.yaml", "Deployment"), "spec", "strategy"), "type"));
        var yamlPvc = DeployYaml.Object("pvc.yaml", "PersistentVolumeClaim");
        Assert.Equal(["ReadWriteOnce"], Yaml.Strings((YamlMappingNode)DeployYaml.At(yamlPvc, "spec"), "accessModes"));
        Assert.Equal(["ReadWriteOnce"], TerraformModule.Block(pvc, "spec")["access_modes"]!.AsArray().Select(m => (string)m!));
    }

    [Fact]
    public async Task StoreProviderReplicasImageAndTokensAreValidated()
    {
        var variables = await TerraformModule.SectionAsync("variable");

        foreach (var name in new[] { "store_provider", "replicas", "postgres_connection_secret", "image", "api_server_cidrs", "webhook_token", "operator_token", "reader_token", "whisker_policy_mode" })
        {
            var validations = TerraformModule.Blocks(variables[name]![0]!.AsObject(), "validation");
            Assert.True(validations.Count > 0, $"variable {name} has no validation block");
            Assert.All(validations, v => Assert.False(string.IsNullOrWhiteSpace((string?)v["error_message"])));
        }
        var replicas = TerraformModule.Blocks(variables["replicas"]![0]!.AsObject(), "validation").Select(v => (string)v["condition"]!);
        Assert.Contains("${var.store_provider == \"postgres\" || var.replicas == 1}", replicas);
        Assert.Contains("sqlite", (string?)variables["store_provider"]![0]!["default"]);
    }

    [Fact]
    public async Task EveryVariableHasADescriptionAndATypeAndTokensAreSensitive()
    {
        var variables = await TerraformModule.SectionAsync("variable");
        Assert.NotEmpty(variables);

        foreach (var (name, decl) in variables)
        {
            var variable = decl![0]!.AsObject();
            Assert.False(string.IsNullOrWhiteSpace((string?)variable["description"]), $"variable {name} has no description");
            Assert.StartsWith("${", (string?)variable["type"]);
        }
        foreach (var name in new[] { "webhook_token", "operator_token", "reader_token" })
        {
            Assert.Equal("true", TerraformModule.Canonical(variables[name]![0]!["sensitive"]).ToString());
        }
        Assert.All((await TerraformModule.SectionAsync("output")), o => Assert.False(string.IsNullOrWhiteSpace((string?)o.Value![0]!["description"])));
    }

    [Fact]
    public async Task TheDeploymentIgnoresTheDnsConfigKyvernoMutates()
    {
        var lifecycle = TerraformModule.Block(await DeploymentAsync(), "lifecycle");

        Assert.Equal(["${spec[0].template[0].spec[0].dns_config}"], lifecycle["ignore_changes"]!.AsArray().Select(i => (string)i!));
        // The marker their stack greps for, right above it.
        var text = await File.ReadAllTextAsync(Path.Combine(TerraformModule.Folder, "deployment.tf"));
        var marker = text.IndexOf("# KYVERNO_LIFECYCLE_V1:", StringComparison.Ordinal);
        Assert.True(marker > 0 && marker < text.IndexOf("ignore_changes = [spec[0].template[0].spec[0].dns_config]", StringComparison.Ordinal),
            "deployment.tf has no KYVERNO_LIFECYCLE_V1 comment before the ignore_changes");
    }

    [Fact]
    public async Task TheNetworkPolicyAdmitsAndReachesWhatTheBasesDoes()
    {
        var np = TerraformModule.Block(await TerraformModule.ResourceAsync("kubernetes_network_policy_v1", "alerthealer"), "spec");
        var yaml = DeployYaml.At(DeployYaml.Object("networkpolicy.yaml", "NetworkPolicy"), "spec");

        Same(DeployYaml.At(yaml, "policyTypes"), np["policy_types"], "policyTypes");
        Same(DeployYaml.At(yaml, "ingress"), await ResolvedAsync(np["ingress"]), "ingress (with the variables' defaults)");

        // Egress: everything but the API server rule is the same; the API server rule has the
        // same ports and takes its CIDRs from var.api_server_cidrs.
        var yamlEgress = ((YamlSequenceNode)DeployYaml.At(yaml, "egress")).Children;
        var tfEgress = TerraformModule.Blocks(np, "egress");
        bool YamlIsApi(YamlNode rule) => DeployYaml.At(rule, "to", 0) is YamlMappingNode to && Yaml.Child(to, "ipBlock") is not null;
        bool TfIsApi(JsonObject rule) => rule["dynamic"]?["to"] is not null;
        Same(new YamlSequenceNode(yamlEgress.Where(r => !YamlIsApi(r))), await ResolvedAsync(new JsonArray(tfEgress.Where(r => !TfIsApi(r)).Select(r => (JsonNode)r.DeepClone()).ToArray())), "egress");
        var api = Assert.Single(tfEgress, TfIsApi);
        Same(DeployYaml.At(Assert.Single(yamlEgress, YamlIsApi), "ports"), api["ports"], "API server ports");
        Assert.Equal("${var.api_server_cidrs}", (string?)api["dynamic"]!["to"]![0]!["for_each"]);
    }

    [Fact]
    public async Task TheServiceAndPdbMatchTheBaseAndTheWebhookUrlIsAnOutput()
    {
        var service = TerraformModule.Block(await TerraformModule.ResourceAsync("kubernetes_service_v1", "alerthealer"), "spec");
        var pdb = TerraformModule.Block(await TerraformModule.ResourceAsync("kubernetes_pod_disruption_budget_v1", "alerthealer"), "spec");
        var outputs = await TerraformModule.SectionAsync("output");

        Same(DeployYaml.At(DeployYaml.Object("service.yaml", "Service"), "spec", "ports"), await ResolvedAsync(service["port"]), "service ports");
        Assert.Equal(
            Yaml.Scalar((YamlMappingNode)DeployYaml.At(DeployYaml.Object("pdb.yaml", "PodDisruptionBudget"), "spec"), "maxUnavailable"),
            TerraformModule.Canonical(pdb["max_unavailable"]).ToString());
        var url = (string?)outputs["webhook_url"]![0]!["value"];
        Assert.EndsWith(".svc:${local.service_port}/webhook/alertmanager", url);
    }
}
