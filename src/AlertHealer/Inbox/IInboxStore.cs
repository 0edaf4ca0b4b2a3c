using AlertHealer.Audit;

namespace AlertHealer.Inbox;

public interface IInboxStore
{
    // All alerts of one delivery in one transaction: all stored, or none (and the caller answers 503).
    Task<IReadOnlyList<Enqueued>> EnqueueAsync(IReadOnlyList<InboxAlert> alerts, DateTimeOffset now, CancellationToken ct = default);

    // The audit entry that concluded this incident, if any: a re-send of it is only a duplicate.
    Task<long?> ConcludedByAsync(string incidentKey, CancellationToken ct = default);

    Task<InboxItem?> ClaimNextAsync(DateTimeOffset now, CancellationToken ct = default);

    // Stores the decision and closes the item together; a concluding outcome marks the incident done.
    Task<AuditEntry> CompleteAsync(InboxItem item, AuditEntry entry, CancellationToken ct = default);

    Task RescheduleAsync(InboxItem item, DateTimeOffset next, string error, CancellationToken ct = default);

    // Items a dead process left half-done go back to pending.
    Task<int> RecoverAsync(CancellationToken ct = default);

    Task<(int Depth, DateTimeOffset? Oldest, DateTimeOffset? NextDue)> StatsAsync(CancellationToken ct = default);
}
