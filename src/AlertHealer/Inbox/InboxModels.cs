using AlertHealer.Audit;
using AlertHealer.Remediation;

namespace AlertHealer.Inbox;

// One alert as stored by the webhook, before any decision.
// Urgent: a firing alert that a policy matches. It is decided before a backlog of others
// (unmatched or resolved alerts from a noisy route), so a storm cannot delay the one that matters.
public sealed record InboxAlert(string IncidentKey, AlertRef Alert, bool Urgent = false)
{
    // One remediation per incident: Alertmanager keeps fingerprint and startsAt across re-sends.
    public static InboxAlert From(AlertRef alert, bool matchesPolicy = false) =>
        new(Key(alert, alert.Status == "resolved" ? "resolved" : "firing"), alert, matchesPolicy && alert.Status != "resolved");

    // The key of the resolved notification of the same incident: a retry still waiting when
    // it arrives is cancelled.
    public static string ResolvedKey(AlertRef alert) => Key(alert, "resolved");

    private static string Key(AlertRef alert, string status) => $"{alert.Fingerprint}|{alert.StartsAt.UtcDateTime:O}|{status}";
}

// A stored decision request: a webhook alert, or a manual request being decided. Intent is
// the DELETE an earlier attempt sent but never saw confirmed.
public sealed record InboxItem(
    long Id, string IncidentKey, RemediationRequest Request, DateTimeOffset ReceivedAt, int Attempts,
    DeleteIntent? Intent = null, string? LastError = null)
{
    public AlertRef Alert => Request.Alert!;

    // The fencing token of the claim this item was taken with: each claim counts one attempt.
    public int Claim => Attempts;
}

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

    // How long a claim on an item lasts unless renewed (every third of it while working): a
    // replica that dies mid-decision leaves its item to another within this plus PollInterval.
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromSeconds(15);

    // On shutdown, how long the decision in hand may take before it is put back.
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(7);
}

// Who holds an inbox item and for how long (Until - Now): a replica that stops renewing loses it.
// The store judges expiry by its own clock (StoreDialect.ClockMs).
public sealed record InboxClaim(string Holder, DateTimeOffset Now, DateTimeOffset Until);
