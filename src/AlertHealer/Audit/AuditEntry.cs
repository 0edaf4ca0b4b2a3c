namespace AlertHealer.Audit;

// One decision of the healer: what triggered it, every step with what it saw, what it did.
public sealed record AuditEntry
{
    public long Id { get; init; }
    public DateTimeOffset Time { get; init; }
    public required string Trigger { get; init; }
    public string? Policy { get; init; }
    public AlertRef? Alert { get; init; }
    public Actor? Actor { get; init; }
    public string? Reason { get; init; }
    public IReadOnlyList<DecisionStep> Steps { get; init; } = [];
    public PodAction? Action { get; init; }
    public required string Outcome { get; init; }
    public string? Verification { get; init; }
    public string? VerificationDetail { get; init; }
    public string? Error { get; init; }
    public int Duplicates { get; init; }
    public bool DryRun { get; init; }
}

public sealed record AlertRef(
    string Name,
    string Fingerprint,
    DateTimeOffset StartsAt,
    string Status,
    IReadOnlyDictionary<string, string> Labels);

// Who asked for a manual action: the role, and which token or Kubernetes user.
public sealed record Actor(string Role, string Name);

public sealed record DecisionStep(string Name, string Result, string Detail, IReadOnlyList<ObservedPod>? Pods = null);

public sealed record ObservedPod(string Name, string Uid, bool Ready, DateTimeOffset? ReadySince, bool Controlled);

public sealed record PodAction(string Kind, string Namespace, string Pod, string Uid, bool DryRun, DateTimeOffset At);

public static class Triggers
{
    public const string Webhook = "webhook";
    public const string Manual = "manual";
    public static readonly string[] All = [Webhook, Manual];
}
