using k8s;
using k8s.Models;

using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Deploy;

public class KustomizationTests
{
    [Fact]
    public void EveryFileTheKustomizationListsExistsInDeploy()
    {
        Assert.NotEmpty(DeployManifests.Resources);
        foreach (var resource in DeployManifests.Resources)
        {
            Assert.True(
                File.Exists(Path.Combine(DeployManifests.Folder, resource)),
                $"kustomization.yaml lists {resource}, which is not in deploy/");
        }
    }

    [Fact]
    public void EveryYamlFileAtTheTopOfDeployIsListedInTheKustomization()
    {
        var listed = DeployManifests.Resources.ToHashSet(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(DeployManifests.Folder, "*.*", SearchOption.TopDirectoryOnly)
            .Select(Path.GetFileName)
            .Where(n => n!.EndsWith(".yaml", StringComparison.Ordinal) || n.EndsWith(".yml", StringComparison.Ordinal))
            .Where(n => n != "kustomization.yaml");

        foreach (var file in files)
        {
            Assert.True(listed.Contains(file!), $"deploy/{file} is not listed in kustomization.yaml");
        }
    }

    [Fact]
    public void TheKustomizationListsOnlyFilesAtTheTopOfDeploy()
    {
        // deploy/alertmanager/ and deploy/prometheus/ configure other systems.
        foreach (var resource in DeployManifests.Resources)
        {
            Assert.DoesNotContain("/", resource, StringComparison.Ordinal);
            Assert.DoesNotContain("\\", resource, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheKustomizationSetsNoNamespaceThatWouldMoveTheCalicoSystemRole()
    {
        var kustomization = KubernetesManifests.Deserialize<DeployManifests.Kustomization>(
            File.ReadAllText(Path.Combine(DeployManifests.Folder, "kustomization.yaml")));

        Assert.Null(kustomization.Namespace);
    }

    [Fact]
    public void EveryListedFileLoadsStrictlyIntoKubernetesObjects()
    {
        foreach (var resource in DeployManifests.Resources)
        {
            var objects = DeployManifests.LoadFile(resource);
            Assert.NotEmpty(objects);
            Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
        }
    }

    [Fact]
    public void TheBaseHoldsEachExpectedKindOfObject()
    {
        Assert.Equal("alerthealer", DeployManifests.Single<V1Namespace>().Metadata.Name);
        DeployManifests.Named<V1ServiceAccount>("alerthealer", "alerthealer");
        DeployManifests.Named<V1Role>("calico-system", "alerthealer");
        DeployManifests.Named<V1Role>("alerthealer", "alerthealer");
        DeployManifests.Named<V1RoleBinding>("calico-system", "alerthealer");
        DeployManifests.Named<V1RoleBinding>("alerthealer", "alerthealer");
        DeployManifests.Named<V1Secret>("alerthealer", "alerthealer-tokens");
        DeployManifests.Named<V1ConfigMap>("alerthealer", "alerthealer-policies");
        DeployManifests.Named<V1PersistentVolumeClaim>("alerthealer", "alerthealer-data");
        DeployManifests.Named<V1Deployment>("alerthealer", "alerthealer");
        DeployManifests.Named<V1Service>("alerthealer", "alerthealer");
        DeployManifests.Named<V1NetworkPolicy>("alerthealer", "alerthealer");
        DeployManifests.Named<V1PodDisruptionBudget>("alerthealer", "alerthealer");
    }

    [Fact]
    public void EveryNamespacedObjectNamesItsNamespace()
    {
        foreach (var o in DeployManifests.All<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace and not V1ClusterRole and not V1ClusterRoleBinding))
        {
            Assert.False(
                string.IsNullOrEmpty(o.Metadata.NamespaceProperty),
                $"{o.Kind} {o.Metadata.Name} has no namespace");
        }
    }

    [Fact]
    public void EveryObjectCarriesTheCommonLabels()
    {
        foreach (var o in DeployManifests.All<IKubernetesObject<V1ObjectMeta>>())
        {
            var labels = o.Metadata.Labels ?? new Dictionary<string, string>();
            Assert.True(
                labels.TryGetValue("app.kubernetes.io/name", out var name) && name == "alerthealer",
                $"{o.Kind} {o.Metadata.Name} lacks app.kubernetes.io/name=alerthealer");
            Assert.True(
                labels.TryGetValue("app.kubernetes.io/part-of", out var partOf) && partOf == "alerthealer",
                $"{o.Kind} {o.Metadata.Name} lacks app.kubernetes.io/part-of=alerthealer");
        }
    }

    [Fact]
    public void TheNamespaceEnforcesTheRestrictedPodSecurityStandard()
    {
        var labels = DeployManifests.Single<V1Namespace>().Metadata.Labels;

        Assert.Equal("restricted", labels["pod-security.kubernetes.io/enforce"]);
        Assert.Equal("restricted", labels["pod-security.kubernetes.io/audit"]);
        Assert.Equal("restricted", labels["pod-security.kubernetes.io/warn"]);
    }
}
