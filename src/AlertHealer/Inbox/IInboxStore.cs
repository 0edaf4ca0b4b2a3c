using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Remediation;

namespace AlertHealer.Inbox;

public interface IInboxStore
{
    // All alerts of one delivery in one transaction: all stored, or none (and the caller answers 503).
    Task<IReadOnlyList<Enqueued>> EnqueueAsync(IReadOnlyList<InboxAlert> alerts, DateTimeOffset now, CancellationToken ct = default);

    // The audit entry that concluded this incident, if any: a re-send of it is only a duplicate.
    Task<long?> ConcludedByAsync(string incidentKey, CancellationToken ct = default);

    // Every write made for a claimed item (intent, decision, duplicate, reschedule) is fenced by
    // the claim it was taken with (InboxItem.Claim): once the claim is lost it throws
    // ClaimLostException and changes nothing.

    // Takes the next due item (urgent first) for claim.Holder until claim.Until; replicas each take another.
    Task<InboxItem?> ClaimNextAsync(InboxClaim claim, CancellationToken ct = default);

    // Extends the claim this holder took on item; false when it lost it (it expired and was taken).
    Task<bool> RenewClaimAsync(InboxItem item, InboxClaim claim, CancellationToken ct = default);

    // Items whose claim expired go back to pending: another replica's that stopped renewing, or
    // this one's that a store fault stranded; never those in hand (being worked on here).
    Task<int> ReclaimExpiredAsync(InboxClaim claim, IReadOnlyCollection<long> inHand, CancellationToken ct = default);

    // The incident was concluded by another item meanwhile: this one only counts as a re-send.
    Task CompleteAsDuplicateAsync(InboxItem item, long auditId, CancellationToken ct = default);

    // A manual request, stored and claimed at once, so it has the same durable intent as an alert.
    Task<InboxItem> StartManualAsync(RemediationRequest request, InboxClaim claim, CancellationToken ct = default);

    // Made durable before the DELETE is sent: every later attempt re-sends exactly this DELETE.
    Task RecordIntentAsync(InboxItem item, DeleteIntent intent, CancellationToken ct = default);

    // A DELETE another item sent for this policy and has not seen confirmed: single flight
    // holds until it is, so a second decision cannot pick the replacement pod.
    Task<DeleteIntent?> UnconfirmedIntentAsync(string policy, long exceptItemId, CancellationToken ct = default);

    // Whether the resolved notification of this incident has been received.
    Task<bool> SeenAsync(string incidentKey, CancellationToken ct = default);

    // Stores the decision, the policy state change it implies (a restart's backoff) and the
    // incident's closing in one transaction, and closes the item.
    Task<AuditEntry> CompleteAsync(InboxItem item, AuditEntry entry, string? policy = null,
        Func<PolicyState, PolicyState>? policyChange = null, CancellationToken ct = default);

    Task RescheduleAsync(InboxItem item, DateTimeOffset next, string error, CancellationToken ct = default);

    // Items this holder left half-done before a restart go back to pending.
    Task<int> RecoverAsync(string holder, CancellationToken ct = default);

    Task<(int Depth, DateTimeOffset? Oldest, DateTimeOffset? NextDue)> StatsAsync(CancellationToken ct = default);
}
