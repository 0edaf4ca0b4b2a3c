namespace AlertHealer.Audit;

public sealed record AuditQuery(
    DateTimeOffset? Since,
    DateTimeOffset? Until,
    string? Policy,
    string? Outcome,
    string? Trigger,
    string? AlertName,
    string? Fingerprint,
    int Limit,
    long? Before);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, string? NextCursor);
