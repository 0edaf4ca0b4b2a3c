using k8s;

namespace AlertHealer.Tests.Deploy;

// An overlay as an operator writes it: the base plus components, built with kubectl kustomize.
internal static class Overlay
{
    public static IList<object> Build(params string[] components)
    {
        var overlay = Directory.CreateTempSubdirectory("alerthealer-overlay-").FullName;
        string Relative(string path) => Path.GetRelativePath(overlay, path);
        var listed = string.Join("\n", components.Select(c => $"  - {Relative(Path.Combine(DeployManifests.Folder, "components", c))}"));
        File.WriteAllText(Path.Combine(overlay, "kustomization.yaml"), $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - {Relative(DeployManifests.Folder)}
            components:
            {listed}
            """);
        return KubernetesYaml.LoadAllFromString(KustomizeBuildTests.KubectlKustomize(overlay), strict: true);
    }
}
