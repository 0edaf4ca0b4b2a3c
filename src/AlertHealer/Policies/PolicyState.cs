namespace AlertHealer.Policies;

// Persisted per policy (one target each): backoff, needs-human and pause survive restarts.
public sealed record PolicyState
{
    public int ConsecutiveRestarts { get; init; }
    public DateTimeOffset? LastRestartAt { get; init; }
    // Last time a restart was seen not to stick (verification not-healed).
    public DateTimeOffset? LastUnhealthyAt { get; init; }
    public DateTimeOffset? CooldownUntil { get; init; }
    public bool NeedsHuman { get; init; }
    public string? NeedsHumanReason { get; init; }
    public DateTimeOffset? NeedsHumanSince { get; init; }
    public bool Paused { get; init; }
    public string? PausedBy { get; init; }
    public string? PauseReason { get; init; }
    public DateTimeOffset? PausedAt { get; init; }

    public static readonly PolicyState Initial = new();
}

public sealed record BreakerState
{
    // Restarts before this instant no longer count (an operator closed the breaker).
    public DateTimeOffset? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
}

public interface IStateStore
{
    Task<PolicyState> GetPolicyAsync(string policy, CancellationToken ct = default);
    Task<PolicyState> UpdatePolicyAsync(string policy, Func<PolicyState, PolicyState> change, CancellationToken ct = default);
    Task<BreakerState> GetBreakerAsync(CancellationToken ct = default);
    Task<BreakerState> UpdateBreakerAsync(Func<BreakerState, BreakerState> change, CancellationToken ct = default);
}
