namespace AlertHealer.Audit;

public static class Outcomes
{
    public const string Restarted = "restarted";
    public const string DryRun = "dry-run";
    public const string DependencyNotReady = "skipped-dependency-not-ready";
    public const string NoTarget = "skipped-no-target";
    public const string AlreadyReplaced = "skipped-already-replaced";
    public const string InProgress = "skipped-in-progress";
    public const string IgnoredNoPolicy = "ignored-no-policy";
    public const string Resolved = "resolved";
    public const string Failed = "failed";
    public const string Paused = "suppressed-paused";
    public const string Cooldown = "suppressed-cooldown";
    public const string BreakerOpen = "suppressed-breaker-open";
    public const string NeedsHuman = "suppressed-needs-human";
    public const string SignalCleared = "skipped-signal-cleared";
    public const string SignalUnavailable = "skipped-signal-unavailable";
    // The alert resolved before a DELETE was sent (a retry was still waiting): nothing deleted.
    public const string AlertResolved = "skipped-alert-resolved";

    // What an operator did to a policy or the breaker (audited like every decision).
    public const string PolicyPaused = "policy-paused";
    public const string PolicyResumed = "policy-resumed";
    public const string PolicyReset = "policy-reset";
    public const string BreakerClosed = "breaker-closed";

    public static readonly string[] All =
    [
        Restarted, DryRun, DependencyNotReady, NoTarget, AlreadyReplaced, InProgress,
        IgnoredNoPolicy, Resolved, Failed, Paused, Cooldown, BreakerOpen, NeedsHuman, SignalCleared, SignalUnavailable, AlertResolved,
        PolicyPaused, PolicyResumed, PolicyReset, BreakerClosed,
    ];

    // Outcomes after which a re-send of the same incident is only a duplicate. The others
    // describe conditions that may change (a dependency recovers, a cooldown ends), so a
    // later re-send is decided again.
    public static bool Concludes(string outcome) => outcome is Restarted or DryRun or AlreadyReplaced or IgnoredNoPolicy or Resolved or AlertResolved;
}

public static class Verifications
{
    public const string Pending = "pending";
    public const string Healed = "healed";
    public const string NotHealed = "not-healed";
    // After healed, the log signal was re-read from the new pod: gone, or still there.
    public const string Verified = "verified";
    public const string Ineffective = "ineffective";
}
