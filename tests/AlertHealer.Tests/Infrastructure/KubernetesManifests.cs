extern alias full;
using System.Text.Json;

namespace AlertHealer.Tests.Infrastructure;

// Kubernetes YAML loaded strictly (an unknown or misspelt field fails the load) by the full client's
// loader, each object then carried over by its JSON into the model type the service itself uses
// (KubernetesClient.Aot keeps its YAML loader internal).
internal static class KubernetesManifests
{
    // typeMap: apiVersion/kind of the test's own types (e.g. a CRD), loaded as they are.
    public static List<object> LoadAllFromString(string yaml, IDictionary<string, Type>? typeMap = null, bool strict = true) =>
        [.. full::k8s.KubernetesYaml.LoadAllFromString(yaml, typeMap, strict).Select(ToServiceModel)];

    public static T Deserialize<T>(string yaml) => full::k8s.KubernetesYaml.Deserialize<T>(yaml);

    private static object ToServiceModel(object loaded)
    {
        if (loaded.GetType().Assembly != typeof(full::k8s.KubernetesYaml).Assembly) return loaded;
        var name = loaded.GetType().FullName!;
        var type = typeof(k8s.Models.V1Pod).Assembly.GetType(name) ?? throw new InvalidOperationException($"{name} is not a KubernetesClient.Aot model");
        var typeInfo = k8s.SourceGenerationContext.Default.GetTypeInfo(type) ?? throw new InvalidOperationException($"{name} has no JSON contract");
        return JsonSerializer.Deserialize(full::k8s.KubernetesJson.Serialize(loaded), typeInfo)!;
    }
}
