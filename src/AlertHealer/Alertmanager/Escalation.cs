namespace AlertHealer.Alertmanager;

// "A person must look": raised as the alert AlertHealerEscalation, which routes to people.
public sealed record Escalation(string Policy, string Reason, string Target, string Summary, string Description);

// An escalation kept firing until it is ended, as the store holds it. Alertmanager knows an
// alert by its labels, so policy, reason and target are its identity; StartsAt is the first raise.
public sealed record OpenEscalation(Escalation Escalation, DateTimeOffset StartsAt);

public static class EscalationReasons
{
    public const string NeedsHuman = "needs-human";
    public const string BreakerOpen = "breaker-open";
    public const string RemediationFailed = "remediation-failed";
    public const string RestartIneffective = "restart-ineffective";
}
