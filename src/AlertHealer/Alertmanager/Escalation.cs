namespace AlertHealer.Alertmanager;

// "A person must look": raised as the alert AlertHealerEscalation, which routes to people.
public sealed record Escalation(string Policy, string Reason, string Target, string Summary, string Description);

public static class EscalationReasons
{
    public const string NeedsHuman = "needs-human";
    public const string BreakerOpen = "breaker-open";
    public const string RemediationFailed = "remediation-failed";
    public const string RestartIneffective = "restart-ineffective";
}
