using k8s;

using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Deploy;

// An overlay as an operator writes it: the base plus components, built with kubectl kustomize.
internal static class Overlay
{
    public static IList<object> Build(params string[] components) =>
        KubernetesManifests.LoadAllFromString(KustomizeBuildTests.BuildWithComponents(components), strict: true);
}
