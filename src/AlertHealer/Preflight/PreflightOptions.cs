namespace AlertHealer.Preflight;

public sealed class PreflightOptions
{
    public const string Section = "AlertHealer:Preflight";

    // Off only where another check stands in for it (the service still stores alerts either way).
    public bool Enabled { get; set; } = true;

    // Every run asks a few dozen cheap questions (access reviews, one list per selector, one
    // Loki query per policy), so every few minutes finds an edited Role well before an incident.
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
}
