using AlertHealer.Audit;

namespace AlertHealer.Inbox;

// One alert as stored by the webhook, before any decision.
public sealed record InboxAlert(string IncidentKey, AlertRef Alert)
{
    // One remediation per incident: Alertmanager keeps fingerprint and startsAt across re-sends.
    public static InboxAlert From(AlertRef alert) =>
        new($"{alert.Fingerprint}|{alert.StartsAt.UtcDateTime:O}|{(alert.Status == "resolved" ? "resolved" : "firing")}", alert);
}

public sealed record InboxItem(long Id, string IncidentKey, AlertRef Alert, DateTimeOffset ReceivedAt, int Attempts);

public enum Disposition
{
    Queued,
    Duplicate,
}

public sealed record Enqueued(string Fingerprint, string Status, Disposition Disposition, long? InboxId);

public sealed class InboxOptions
{
    public const string Section = "AlertHealer:Inbox";

    // Off only in tests that need an alert stored and not yet acted on.
    public bool WorkerEnabled { get; set; } = true;

    // How long an item failing on transient faults is retried before it is recorded failed.
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    // Safety net: the worker looks for due items this often even without a signal.
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
