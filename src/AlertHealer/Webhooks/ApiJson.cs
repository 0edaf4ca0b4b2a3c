using System.Text.Json;
using System.Text.Json.Serialization;
using AlertHealer.Audit;
using AlertHealer.Health;
using AlertHealer.Policies;
using AlertHealer.Remediation;

namespace AlertHealer.Webhooks;

// Every body the HTTP API reads or writes, generated at build time: the native build has no
// reflection-based JSON. A type missing here fails at its first use in the native build.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [
    typeof(KebabEnumConverter<Inbox.Disposition>), typeof(KebabEnumConverter<Loki.SignalState>), typeof(KebabEnumConverter<PolicyMode>),
    typeof(KebabEnumConverter<Kubernetes.DeleteResult>), typeof(KebabEnumConverter<Kubernetes.ClusterMode>),
    typeof(KebabEnumConverter<Storage.StorageProvider>), typeof(KebabEnumConverter<Tls.TlsMode>)])]
[JsonSerializable(typeof(AlertmanagerWebhook))]
[JsonSerializable(typeof(WebhookAck))]
[JsonSerializable(typeof(RemediateRequest))]
[JsonSerializable(typeof(RemediateResponse))]
[JsonSerializable(typeof(SimulateResponse))]
[JsonSerializable(typeof(PolicyActionRequest))]
[JsonSerializable(typeof(PoliciesView))]
[JsonSerializable(typeof(PolicyView))]
[JsonSerializable(typeof(BreakerView))]
[JsonSerializable(typeof(AuditPage))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(HealthEndpoints.Readiness))]
[JsonSerializable(typeof(string))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

// Enums go over the wire kebab-cased; one converter per enum, the form the native build can compile.
// The HTTP options take the context's converters, so a response written with a type of this
// context (TypedResults.Json) and one written by the framework look the same.
public sealed class KebabEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.KebabCaseLower) where T : struct, Enum;
