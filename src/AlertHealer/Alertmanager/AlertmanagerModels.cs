using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertHealer.Alertmanager;

// Alertmanager API v2 (0.25+) wire types, the fields the healer sends and reads.

// An element of POST /api/v2/alerts. An alert whose EndsAt has passed is resolved.
public sealed record PostableAlert(
    Dictionary<string, string> Labels,
    Dictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    [property: JsonPropertyName("generatorURL"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GeneratorUrl = null);

// POST /api/v2/silences.
public sealed record PostableSilence(
    List<SilenceMatcher> Matchers,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string CreatedBy,
    string Comment);

public sealed record SilenceMatcher(string Name, string Value, bool IsRegex = false, bool IsEqual = true);

// {"silenceID":"..."}
public sealed record SilenceCreated([property: JsonPropertyName("silenceID")] string SilenceId);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<PostableAlert>))]
[JsonSerializable(typeof(PostableSilence))]
[JsonSerializable(typeof(SilenceCreated))]
public sealed partial class AlertmanagerJsonContext : JsonSerializerContext;
