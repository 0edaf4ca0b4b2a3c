using System.Text.Json.Serialization;

namespace AlertHealer.Webhooks;

// Alertmanager's webhook body (version "4"). Everything is nullable so that a missing field
// reaches the validator and is named in the 400, instead of failing deserialization.
// Unknown fields (newer Alertmanagers add some) are ignored.
public sealed record AlertmanagerWebhook(
    string? Version,
    string? GroupKey,
    int? TruncatedAlerts,
    string? Status,
    string? Receiver,
    Dictionary<string, string>? GroupLabels,
    Dictionary<string, string>? CommonLabels,
    Dictionary<string, string>? CommonAnnotations,
    [property: JsonPropertyName("externalURL")] string? ExternalUrl,
    List<AlertmanagerAlert?>? Alerts);

public sealed record AlertmanagerAlert(
    string? Status,
    Dictionary<string, string>? Labels,
    Dictionary<string, string>? Annotations,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    [property: JsonPropertyName("generatorURL")] string? GeneratorUrl,
    string? Fingerprint)
{
    // Alertmanager writes the zero time for "still firing".
    public bool StillFiring => EndsAt is null || EndsAt.Value.Year <= 1;
}

public sealed record WebhookAck(int Received, int Queued, int Duplicates, IReadOnlyList<WebhookAckItem> Alerts);

public sealed record WebhookAckItem(string Fingerprint, string Status, string Disposition, long? InboxId);
