namespace AlertHealer.Kubernetes;

// Single flight across replicas: a Lease per target in AlertHealer's own namespace.
// Null means another holder has it.
public interface ITargetLease
{
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken ct);
}

// The simulated cluster has one process; the in-process lock is enough.
public sealed class InProcessLease : ITargetLease
{
    public Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable?>(new Nothing());

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
