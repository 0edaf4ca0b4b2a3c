extern alias full;
using System.Text.Json.Serialization;
using full::k8s;
using full::k8s.Models;

namespace AlertHealer.Tests.Deploy;

// cert-manager's Certificate (cert-manager.io/v1), as far as deploy/ uses it; loaded strictly by the
// full client's YAML loader (hence its model types here),
// so a field the component writes that is not here fails the test.
public sealed class CertificateManifest : IKubernetesObject<V1ObjectMeta>
{
    public const string TypeKey = "cert-manager.io/v1/Certificate";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public CertificateSpec Spec { get; set; } = new();

    public sealed class CertificateSpec
    {
        [JsonPropertyName("secretName")] public string SecretName { get; set; } = "";
        [JsonPropertyName("issuerRef")] public IssuerReference IssuerRef { get; set; } = new();
        [JsonPropertyName("dnsNames")] public List<string> DnsNames { get; set; } = [];
        [JsonPropertyName("duration")] public string? Duration { get; set; }
        [JsonPropertyName("renewBefore")] public string? RenewBefore { get; set; }
        [JsonPropertyName("privateKey")] public PrivateKey? PrivateKey { get; set; }
        [JsonPropertyName("usages")] public List<string> Usages { get; set; } = [];
    }

    public sealed class IssuerReference
    {
        [JsonPropertyName("group")] public string? Group { get; set; }
        [JsonPropertyName("kind")] public string? Kind { get; set; }
        [JsonPropertyName("name")] public string Name { get; set; } = "";
    }

    public sealed class PrivateKey
    {
        [JsonPropertyName("algorithm")] public string? Algorithm { get; set; }
        [JsonPropertyName("size")] public int? Size { get; set; }
        [JsonPropertyName("rotationPolicy")] public string? RotationPolicy { get; set; }
    }
}
