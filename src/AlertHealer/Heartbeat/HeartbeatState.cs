namespace AlertHealer.Heartbeat;

// The stored heartbeat (one row of the state table, shared by every replica): when the last one
// arrived, from whom, and whether the stale warning has been given for the current silence.
public sealed record HeartbeatState(
    DateTimeOffset? LastSeenAt = null,
    string? Sender = null,
    string? Receiver = null,
    string? RuleGroup = null,
    DateTimeOffset? StaleSince = null)
{
    public const string Key = "heartbeat:detection";
}

// What GET /policies and the page show. Status: "never" (no heartbeat has ever arrived),
// "ok", or "stale" (older than the limit). AgeSeconds is by the service's clock.
public sealed record DetectionView(
    string Status,
    string Summary,
    DateTimeOffset? LastSeenAt,
    double? AgeSeconds,
    string? Sender,
    string? RuleGroup,
    TimeSpan StaleAfter)
{
    public const string Never = "never";
    public const string Ok = "ok";
    public const string Stale = "stale";

    public bool Healthy => Status == Ok;
}
