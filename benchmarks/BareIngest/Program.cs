using System.Text.Json;
using System.Text.Json.Serialization;

// Binds the same Alertmanager webhook body as AlertHealer and stores nothing: what Kestrel,
// routing and System.Text.Json cost on this machine, the floor any ingest endpoint stands on.
// The same host as AlertHealer (CreateBuilder), so its idle memory is a fair floor too.
// Published both ways by benchmarks/memory-and-start.sh: JIT (ReadyToRun) and Native AOT
// (-p:PublishAot=true), so the body is bound through a source-generated JSON context, as
// AlertHealer's is; the JIT build uses the same context.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, BareJson.Default));
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.MapPost("/webhook/alertmanager", (Webhook body) => TypedResults.Ok(new Ack(body.Alerts?.Count ?? 0)));
app.Run();

internal sealed record Webhook(
    string? Version, string? GroupKey, int? TruncatedAlerts, string? Status, string? Receiver,
    Dictionary<string, string>? GroupLabels, Dictionary<string, string>? CommonLabels,
    Dictionary<string, string>? CommonAnnotations, [property: JsonPropertyName("externalURL")] string? ExternalUrl,
    List<Alert?>? Alerts);

internal sealed record Alert(
    string? Status, Dictionary<string, string>? Labels, Dictionary<string, string>? Annotations,
    DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, [property: JsonPropertyName("generatorURL")] string? GeneratorUrl,
    string? Fingerprint);

internal sealed record Ack(int Received);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Webhook))]
[JsonSerializable(typeof(Ack))]
internal sealed partial class BareJson : JsonSerializerContext;
