namespace AlertHealer.Loki;

public sealed class LokiOptions
{
    public const string Section = "AlertHealer:Loki";

    // Loki's query endpoint, e.g. http://loki-gateway.loki.svc; empty turns the log re-check off.
    public string? BaseUrl { get; set; }

    // Sent as X-Scope-OrgID when Loki runs multi-tenant.
    public string? TenantId { get; set; }

    // Per attempt; retries run on 5xx, 429, timeouts and connection errors.
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public int Retries { get; set; } = 2;

    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);
}
