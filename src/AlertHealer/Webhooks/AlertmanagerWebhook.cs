using System.Text.Json.Serialization;

namespace AlertHealer.Webhooks;

// The webhook body of Alertmanager (version "4") and of Grafana Alerting's webhook contact
// point (version "1": Alertmanager's fields, plus orgId, state, title, message at the top and
// values, valueString, silenceURL, dashboardURL, panelURL, imageURL per alert). Everything is
// nullable so that a missing field reaches the validator and is named in the 400, instead of
// failing deserialization. Unknown fields (newer senders add some) are ignored.
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
    List<AlertmanagerAlert?>? Alerts,
    // Grafana only: its organisation and "alerting" / "ok" for the group.
    long? OrgId = null,
    string? State = null)
{
    public const string AlertmanagerVersion = "4";
    public const string GrafanaVersion = "1";

    public bool FromGrafana => Version == GrafanaVersion;
}

public sealed record AlertmanagerAlert(
    string? Status,
    Dictionary<string, string>? Labels,
    Dictionary<string, string>? Annotations,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    [property: JsonPropertyName("generatorURL")] string? GeneratorUrl,
    string? Fingerprint)
{
    // Alertmanager, and Grafana's built-in Alertmanager, write the zero time for "still firing".
    public bool StillFiring => EndsAt is null || EndsAt.Value.Year <= 1;
}

public sealed record WebhookAck(int Received, int Queued, int Duplicates, IReadOnlyList<WebhookAckItem> Alerts);

public sealed record WebhookAckItem(string Fingerprint, string Status, string Disposition, long? InboxId);
