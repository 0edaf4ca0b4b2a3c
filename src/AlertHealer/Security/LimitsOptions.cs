using Microsoft.Extensions.Options;

namespace AlertHealer.Security;

// What one client may send: body sizes per endpoint, alerts per delivery, manual calls per minute.
public sealed class LimitsOptions
{
    public const string Section = "AlertHealer:Limits";
    public const long KiB = 1024;
    public const long MiB = 1024 * KiB;

    public long WebhookBodyBytes { get; set; } = 1 * MiB;
    public long RemediateBodyBytes { get; set; } = 16 * KiB;
    public long SimulateBodyBytes { get; set; } = 256 * KiB;

    // Every other endpoint (policy pause reasons, ...): bodies there are a sentence at most.
    public long DefaultBodyBytes { get; set; } = 16 * KiB;

    public int MaxAlerts { get; set; } = 200;

    // Shared by /remediate and /simulate, per token (or per address without one).
    public int ManualPerMinute { get; set; } = 10;

    // Webhook deliveries per token per minute; 0 (the default) is no limit.
    public int WebhookPerMinute { get; set; }

    // The largest body any endpoint takes: the server-wide backstop.
    public long LargestBody => new[] { WebhookBodyBytes, RemediateBodyBytes, SimulateBodyBytes, DefaultBodyBytes }.Max();
}

public sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions o)
    {
        var errors = new List<string>();
        Bytes(errors, nameof(o.WebhookBodyBytes), o.WebhookBodyBytes);
        Bytes(errors, nameof(o.RemediateBodyBytes), o.RemediateBodyBytes);
        Bytes(errors, nameof(o.SimulateBodyBytes), o.SimulateBodyBytes);
        Bytes(errors, nameof(o.DefaultBodyBytes), o.DefaultBodyBytes);
        if (o.MaxAlerts is < 1 or > 10_000) errors.Add($"{LimitsOptions.Section}:MaxAlerts must be between 1 and 10000");
        if (o.ManualPerMinute is < 1 or > 10_000) errors.Add($"{LimitsOptions.Section}:ManualPerMinute must be between 1 and 10000");
        if (o.WebhookPerMinute is < 0 or > 1_000_000) errors.Add($"{LimitsOptions.Section}:WebhookPerMinute must be between 0 (no limit) and 1000000");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // A body limit under 1 KiB refuses real requests; over 64 MiB it no longer protects anything.
    private static void Bytes(List<string> errors, string key, long value)
    {
        if (value is < LimitsOptions.KiB or > 64 * LimitsOptions.MiB)
            errors.Add($"{LimitsOptions.Section}:{key} must be between 1024 and 67108864 bytes");
    }
}
