using AlertHealer.Loki;

namespace AlertHealer.Policies;

public enum PolicyMode
{
    Enforce,
    // Shadow mode: decide everything, delete nothing.
    DryRun,
}

public sealed class HealerOptions
{
    public const string Section = "AlertHealer";

    // Makes every action of every policy a dry run.
    public bool DryRun { get; set; }

    public Dictionary<string, PolicyOptions> Policies { get; set; } = new(StringComparer.Ordinal);

    // A mounted JSON file holding only AlertHealer:Policies; when set, its policies replace the
    // settings files' and are reloaded when its content changes (checked this often).
    public string? PolicyFile { get; set; }
    public TimeSpan PolicyFilePollInterval { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class PolicyOptions
{
    // Alert labels that must all be equal for the policy to apply.
    public Dictionary<string, string> Match { get; set; } = new(StringComparer.Ordinal);
    public PolicyMode Mode { get; set; } = PolicyMode.Enforce;
    public PodSelector Target { get; set; } = new();
    // Must be Ready before the target is restarted (null: no guard).
    public DependencyGuard? Dependency { get; set; }
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan MaxCooldown { get; set; } = TimeSpan.FromHours(2);
    public TimeSpan HealthyResetAfter { get; set; } = TimeSpan.FromHours(1);
    public int MaxAttempts { get; set; } = 3;
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromMinutes(3);
    // How long the detection rule keeps firing for a pod already restarted (its window):
    // the length of the optional silence for that stale alert.
    public TimeSpan StaleAlertWindow { get; set; } = TimeSpan.FromMinutes(11);
    // Re-checked in Loki before acting (null: the alert alone decides).
    public SignalOptions? Signal { get; set; }
}

public sealed class PodSelector
{
    public string Namespace { get; set; } = "";
    public string Selector { get; set; } = "";
    public override string ToString() => $"{Namespace}/{Selector}";
}

public sealed class DependencyGuard
{
    public string Namespace { get; set; } = "";
    public string Selector { get; set; } = "";
    // Ready must have been True this long (lastTransitionTime), so a flapping pod does not count.
    public TimeSpan MinReadyFor { get; set; } = TimeSpan.FromSeconds(60);
}
