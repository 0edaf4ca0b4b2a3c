using Microsoft.Extensions.Options;

namespace AlertHealer.Heartbeat;

// The detection path's dead man's switch: an alert that always fires while the Loki ruler (or
// Grafana) evaluates, re-sent by Alertmanager every repeat_interval to the webhook.
public sealed class HeartbeatOptions
{
    public const string Section = "AlertHealer:Heartbeat";
    public const string DefaultAlertName = "AlertHealerDetectionHeartbeat";

    // The alertname of the shipped heartbeat rule.
    public string AlertName { get; set; } = DefaultAlertName;

    // How often a heartbeat is expected: the route's repeat_interval.
    public TimeSpan ExpectedInterval { get; set; } = TimeSpan.FromMinutes(1);

    // Older than this, the detection path is stale. Unset: three expected intervals, so one
    // lost or late notification is not an alarm.
    public TimeSpan? StaleAfter { get; set; }

    public TimeSpan Limit => StaleAfter ?? 3 * ExpectedInterval;
}

public sealed class HeartbeatOptionsValidator : IValidateOptions<HeartbeatOptions>
{
    public ValidateOptionsResult Validate(string? name, HeartbeatOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.AlertName))
            errors.Add($"{HeartbeatOptions.Section}:AlertName must name the heartbeat alert (default {HeartbeatOptions.DefaultAlertName})");
        if (o.ExpectedInterval < TimeSpan.FromSeconds(1) || o.ExpectedInterval > TimeSpan.FromHours(1))
            errors.Add($"{HeartbeatOptions.Section}:ExpectedInterval must be between 00:00:01 and 01:00:00");
        // A limit at or under the interval calls every on-time heartbeat late.
        if (o.StaleAfter is { } stale && (stale <= o.ExpectedInterval || stale > TimeSpan.FromDays(1)))
            errors.Add($"{HeartbeatOptions.Section}:StaleAfter must be longer than {HeartbeatOptions.Section}:ExpectedInterval and at most 1.00:00:00");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
