namespace AlertHealer.Storage;

// Open once the store has been reached and migrated in this process. Until then the API answers
// 503 (the stores throw StoreUnavailableException) and background work waits here instead of failing.
public sealed class StoreGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen => _open.Task.IsCompleted;

    // Why the store is not open yet, short enough for /readyz; null once open.
    public string? Waiting { get; private set; } = "starting";

    public void Open()
    {
        Waiting = null;
        _open.TrySetResult();
    }

    public void StillWaiting(string reason) => Waiting = reason;

    public Task WaitAsync(CancellationToken ct) => _open.Task.WaitAsync(ct);

    // Runs work on an open store; on a closed one fails as a store fault does (a 503, never a 500).
    public Task<T> WhenOpen<T>(Func<Task<T>> work) =>
        IsOpen ? work() : Task.FromException<T>(new StoreUnavailableException($"the store is not ready yet: {Waiting}"));
}
