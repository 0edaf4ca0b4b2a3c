namespace AlertHealer.Alertmanager;

public sealed class AlertmanagerOptions
{
    public const string Section = "AlertHealer:Alertmanager";

    // e.g. http://alertmanager-operated.monitoring.svc:9093; empty turns escalation off.
    public string? BaseUrl { get; set; }

    // Per attempt; alert posts are retried, silences are sent once (they are not idempotent).
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public int Retries { get; set; } = 2;

    // The healer's own URL, shown as the escalation's source (generatorURL).
    public string? ExternalUrl { get; set; }

    // Silence the alert that triggered a remediation once it is known to be stale.
    public bool SilenceStaleAlerts { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);
}
