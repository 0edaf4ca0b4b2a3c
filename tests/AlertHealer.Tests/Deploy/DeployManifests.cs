using k8s;
using k8s.Models;

using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Deploy;

// The kustomize base in deploy/: the files its kustomization.yaml lists, each
// loaded strictly (an unknown or misspelt field fails the load) into the
// KubernetesClient model types.
internal static class DeployManifests
{
    private static readonly Lazy<IReadOnlyList<string>> LazyResources = new(ReadResources);
    private static readonly Lazy<IReadOnlyList<object>> LazyObjects = new(LoadObjects);

    public static string Folder => RepoFiles.PathOf("deploy");

    // The `resources` entries of deploy/kustomization.yaml, as written there.
    public static IReadOnlyList<string> Resources => LazyResources.Value;

    public static IReadOnlyList<object> Objects => LazyObjects.Value;

    public static IEnumerable<T> All<T>() => Objects.OfType<T>();

    public static T Single<T>() => Assert.Single(All<T>());

    public static T Named<T>(string ns, string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(All<T>(), o => o.Metadata.NamespaceProperty == ns && o.Metadata.Name == name);

    public static IReadOnlyList<object> LoadFile(string relativePath) =>
        KubernetesManifests.LoadAllFromString(File.ReadAllText(Path.Combine(Folder, relativePath)), strict: true);

    private static List<string> ReadResources()
    {
        var kustomization = KubernetesManifests.Deserialize<Kustomization>(
            File.ReadAllText(Path.Combine(Folder, "kustomization.yaml")));
        Assert.Equal("Kustomization", kustomization.Kind);
        Assert.NotNull(kustomization.Resources);
        return kustomization.Resources;
    }

    private static List<object> LoadObjects() => Resources.SelectMany(LoadFile).ToList();

    internal sealed class Kustomization
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }

        public string? Namespace { get; set; }

        public List<string>? Resources { get; set; }
    }
}
