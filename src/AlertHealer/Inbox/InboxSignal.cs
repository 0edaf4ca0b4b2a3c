namespace AlertHealer.Inbox;

// Wakes the worker as soon as the webhook stored something, instead of waiting for a poll.
public sealed class InboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public Task WaitAsync(CancellationToken ct) => _signal.WaitAsync(ct);

    public void Dispose() => _signal.Dispose();
}
