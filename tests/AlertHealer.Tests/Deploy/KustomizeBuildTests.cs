using System.Diagnostics;
using k8s;
using k8s.Models;

using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Deploy;

// `kubectl apply -k deploy/` first runs this same kustomize build; kubectl
// (with kustomize built in) is part of the project's machine image.
public sealed class KustomizeBuildTests
{
    [Fact]
    public void KubectlKustomizeBuildsTheBaseIntoExactlyTheListedObjects()
    {
        var built = KubernetesManifests.LoadAllFromString(KubectlKustomize(DeployManifests.Folder), strict: true)
            .Cast<IKubernetesObject<V1ObjectMeta>>()
            .Select(Identity)
            .Order(StringComparer.Ordinal)
            .ToList();
        var listed = DeployManifests.All<IKubernetesObject<V1ObjectMeta>>()
            .Select(Identity)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(listed, built);
    }

    [Fact]
    public void TheKubernetesAuthComponentAddsTheDelegatorBindingAndTurnsTheModeOn()
    {
        var built = KubernetesManifests.LoadAllFromString(BuildWithComponents("kubernetes-auth"), strict: true);

        Assert.Single(built.OfType<V1ClusterRoleBinding>(), b => b.RoleRef.Name == "system:auth-delegator");
        var env = Assert.Single(built.OfType<V1Deployment>()).Spec.Template.Spec.Containers[0].Env;
        Assert.Contains(env, e => e.Name == "AlertHealer__Auth__KubernetesAuth" && e.Value == "true");
    }

    // The base built with deploy/components/<name>..., as an overlay of the operator's would.
    internal static string BuildWithComponents(params string[] components)
    {
        var overlay = Directory.CreateTempSubdirectory("alerthealer-overlay-").FullName;
        File.WriteAllText(Path.Combine(overlay, "kustomization.yaml"), $$"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - {{Path.GetRelativePath(overlay, DeployManifests.Folder)}}
            components:
            {{string.Join("\n", components.Select(c => "  - " + Path.GetRelativePath(overlay, Path.Combine(DeployManifests.Folder, "components", c))))}}
            """);
        return KubectlKustomize(overlay);
    }

    private static string Identity(IKubernetesObject<V1ObjectMeta> o) =>
        $"{o.ApiVersion}/{o.Kind} {o.Metadata.NamespaceProperty}/{o.Metadata.Name}";

    private static string KubectlKustomize(string folder)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(folder);

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is not on PATH; it ships with the project's machine image.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "kubectl kustomize did not finish in 60 s");
            Assert.True(process.ExitCode == 0, $"kubectl kustomize failed: {stderr.Result}");
            return stdout.Result;
        }
    }
}
