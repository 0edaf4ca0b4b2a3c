namespace AlertHealer.Audit;

public interface IAuditStore
{
    Task<AuditEntry> AddAsync(AuditEntry entry, CancellationToken ct = default);
    Task<AuditEntry?> GetAsync(long id, CancellationToken ct = default);
    Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken ct = default);
    // Restarts whose verification was not settled (the process stopped while verifying).
    Task<IReadOnlyList<AuditEntry>> PendingVerificationsAsync(CancellationToken ct = default);

    // Settles a pending verification; false if it was not pending (another replica settled it).
    Task<bool> SetVerificationAsync(long id, string verification, string detail, CancellationToken ct = default);

    // Automatic restarts since a point in time: what the circuit breaker counts.
    Task<int> CountAutomaticRestartsAsync(DateTimeOffset since, CancellationToken ct = default);

    // Deletes up to batch audit entries older than auditBefore (with the incidents they decided)
    // and finished inbox items older than inboxDoneBefore; returns how many rows went.
    Task<int> PruneAsync(DateTimeOffset auditBefore, DateTimeOffset inboxDoneBefore, int batch, CancellationToken ct = default);

    // Proves the store can take a write (readiness).
    Task ProbeWriteAsync(CancellationToken ct = default);
}
