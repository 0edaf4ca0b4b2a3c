using AlertHealer.Inbox;

namespace AlertHealer.Remediation;

// The operator's path: stored as an inbox item and decided while the caller waits, by the same
// processor as the webhook path, so a DELETE whose answer is lost is confirmed in the background.
public sealed class ManualRemediation(IInboxStore inbox, InboxProcessor processor, InboxClaims claims, InboxSignal signal)
{
    public async Task<Processed> RunAsync(RemediationRequest request, CancellationToken ct)
    {
        var item = await inbox.StartManualAsync(request, claims.Now(), ct);
        Processed processed;
        await using (claims.Keep(item)) processed = await processor.ProcessAsync(item, waitingCaller: true, ct);
        // Put back for the worker: wake it so the re-send is not left to the poll.
        if (processed.Entry is null) signal.Notify();
        return processed;
    }
}
