namespace AlertHealer.Policies;

public sealed record PolicyView(
    string Name,
    string Mode,
    IReadOnlyDictionary<string, string> Match,
    string Target,
    string? Dependency,
    string Status,
    int ConsecutiveRestarts,
    int MaxAttempts,
    DateTimeOffset? LastRestartAt,
    DateTimeOffset? CooldownUntil,
    bool NeedsHuman,
    string? NeedsHumanReason,
    bool Paused,
    string? PausedBy,
    string? PauseReason,
    // The last preflight of this replica (null before its first run or when it is off).
    Preflight.PreflightView? Preflight = null);

public sealed record BreakerView(bool Open, int RestartsInWindow, int MaxRemediations, TimeSpan Window, DateTimeOffset? ClosedAt, string? ClosedBy);

// Config: where the policies come from, their hash and load time, and how the last reload went.
public sealed record PoliciesView(IReadOnlyList<PolicyView> Policies, BreakerView Breaker, PolicyConfigView Config)
{
    // Whether the detection path (Loki ruler, Alertmanager, route) still delivers its heartbeat.
    public Heartbeat.DetectionView? Detection { get; init; }
}

public sealed record PolicyActionRequest(string? Reason);
