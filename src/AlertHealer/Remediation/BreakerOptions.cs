namespace AlertHealer.Remediation;

public sealed class BreakerOptions
{
    public const string Section = "AlertHealer:Breaker";

    // Automatic restarts allowed across all policies within Window before the breaker opens.
    public int MaxRemediations { get; set; } = 6;
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}
