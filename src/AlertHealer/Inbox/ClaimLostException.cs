namespace AlertHealer.Inbox;

// A write for an item whose claim this replica no longer holds: the claim expired (a pause, a
// partition from the database) and another replica took the item, or concluded it. The write's
// transaction changed nothing; the replica that holds the claim now owns the work.
public sealed class ClaimLostException(long itemId, int claim, string write)
    : Exception($"inbox item {itemId}: claim {claim} was lost to another replica; the {write} was not written")
{
    // What was refused (intent, decision, duplicate, reschedule): the label of alerthealer_fenced_writes_total.
    public string Write { get; } = write;
}
