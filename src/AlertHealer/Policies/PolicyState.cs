using AlertHealer.Alertmanager;

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

    // Open escalations (pages to people), one row each, so that any replica and the next start
    // keep them firing and can end them. Opening one already open keeps its StartsAt and takes
    // the new text; returns it as stored.
    Task<OpenEscalation> OpenEscalationAsync(Escalation escalation, DateTimeOffset now, CancellationToken ct = default);
    Task<IReadOnlyList<OpenEscalation>> GetOpenEscalationsAsync(CancellationToken ct = default);
    // Removes the policy's open escalations and returns them, so the caller can end those pages.
    Task<IReadOnlyList<OpenEscalation>> CloseEscalationsAsync(string policy, CancellationToken ct = default);

    // Any other state kept as one JSON document under its own key (e.g. the detection heartbeat).
    Task<T> GetDocumentAsync<T>(string key, T initial, CancellationToken ct = default);
    Task<T> UpdateDocumentAsync<T>(string key, T initial, Func<T, T> change, CancellationToken ct = default);
}
