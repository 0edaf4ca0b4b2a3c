using System.Text.Json.Nodes;
using AlertHealer.Tests.Infrastructure;
using k8s.Models;

namespace AlertHealer.Tests.Deploy;

// The policies ship as a ConfigMap mounted as a directory, so an update reaches the running pod.
public class PolicyFileDeployTests
{
    private const string PoliciesDir = "/etc/alerthealer/policies";

    private static V1PodSpec Pod => DeployManifests.Named<V1Deployment>("alerthealer", "alerthealer").Spec.Template.Spec;

    public static JsonNode BaseFile => JsonNode.Parse(DeployManifests.Named<V1ConfigMap>("alerthealer", "alerthealer-policies").Data["policies.json"])!;

    [Fact]
    public void ThePolicyConfigMapIsMountedAsADirectoryAndNamedByPolicyFile()
    {
        var container = Assert.Single(Pod.Containers);
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == PoliciesDir);
        var volume = Assert.Single(Pod.Volumes, v => v.Name == mount.Name);

        Assert.Null(mount.SubPath);
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("alerthealer-policies", volume.ConfigMap.Name);
        Assert.Equal($"{PoliciesDir}/policies.json", Assert.Single(container.Env, e => e.Name == "AlertHealer__PolicyFile").Value);
    }

    [Fact]
    public void TheShippedPolicyFileHoldsOnlyThePoliciesOfAppsettings()
    {
        var appsettings = JsonNode.Parse(RepoFiles.Read("src", "AlertHealer", "appsettings.json"))!;

        Assert.Equal(["AlertHealer"], BaseFile.AsObject().Select(kv => kv.Key));
        Assert.Equal(["Policies"], BaseFile["AlertHealer"]!.AsObject().Select(kv => kv.Key));
        Assert.True(JsonNode.DeepEquals(appsettings["AlertHealer"]!["Policies"], BaseFile["AlertHealer"]!["Policies"]));
    }

    [Fact]
    public async Task TheModuleShipsTheBasesPolicyFileMountedAsADirectory()
    {
        var configMap = await TerraformModule.ResourceAsync("kubernetes_config_map_v1", "policies");
        var pod = TerraformModule.Block(TerraformModule.Block(TerraformModule.Block(
            await TerraformModule.ResourceAsync("kubernetes_deployment_v1", "alerthealer"), "spec"), "template"), "spec");
        var mount = Assert.Single(TerraformModule.Blocks(TerraformModule.Block(pod, "container"), "volume_mount"), m => (string?)m["name"] == "policies");
        var volume = Assert.Single(TerraformModule.Blocks(pod, "volume"), v => (string?)v["name"] == "policies");
        var locals = await TerraformModule.LocalsAsync();

        Assert.True(JsonNode.DeepEquals(BaseFile, JsonNode.Parse(RepoFiles.Read("deploy", "terraform", "policies.json"))));
        Assert.Equal("${var.policies_json != null ? var.policies_json : file(\"${path.module}/policies.json\")}", (string?)configMap["data"]!["policies.json"]);
        Assert.Equal("alerthealer-policies", (string?)TerraformModule.Block(configMap, "metadata")["name"]);
        Assert.Equal(PoliciesDir, (string?)locals["policies_dir"]);
        Assert.Equal("${local.policies_dir}", (string?)mount["mount_path"]);
        Assert.Null(mount["sub_path"]);
        Assert.Equal("${kubernetes_config_map_v1.policies.metadata[0].name}", (string?)TerraformModule.Block(volume, "config_map")["name"]);
    }
}
