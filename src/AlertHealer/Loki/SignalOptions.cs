namespace AlertHealer.Loki;

// A policy's log signal: re-read from Loki before acting (and, with VerifyAfter, after the
// restart) so a stale alert never deletes a pod that has already recovered.
public sealed class SignalOptions
{
    // Instant LogQL query returning one number. $namespace and $pod are replaced by the
    // target's, escaped for a double-quoted LogQL string.
    public string Query { get; set; } = "";

    // Present when the value is at least this.
    public double Threshold { get; set; } = 10;

    // When Loki cannot be read: true acts on the alert alone, false skips the remediation.
    public bool FailOpen { get; set; } = true;

    // Re-read this long after a restart to check the signal cleared (null: no check).
    public TimeSpan? VerifyAfter { get; set; }
}
