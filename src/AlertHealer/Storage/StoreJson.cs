using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AlertHealer.Alertmanager;
using AlertHealer.Audit;
using AlertHealer.Heartbeat;
using AlertHealer.Policies;
using AlertHealer.Remediation;

namespace AlertHealer.Storage;

// The JSON documents the store keeps (audit entries, inbox items, state rows), generated at build
// time and with no reflection fallback, so a type missing here fails in every build, not only the
// native one. Their form is unchanged: web defaults, enums as numbers.
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(AlertRef))]
[JsonSerializable(typeof(DeleteIntent))]
[JsonSerializable(typeof(RemediationRequest))]
[JsonSerializable(typeof(PolicyState))]
[JsonSerializable(typeof(BreakerState))]
[JsonSerializable(typeof(OpenEscalation))]
[JsonSerializable(typeof(HeartbeatState))]
[JsonSerializable(typeof(Dictionary<string, PolicyOptions>))]
public sealed partial class StoreJsonContext : JsonSerializerContext;

public static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { TypeInfoResolver = StoreJsonContext.Default };

    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Info<T>());

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, Info<T>());
}
