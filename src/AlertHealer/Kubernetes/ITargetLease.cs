namespace AlertHealer.Kubernetes;

// Single flight across replicas: a Lease per target in AlertHealer's own namespace.
// Null means another holder has it.
public interface ITargetLease
{
    Task<ILeaseHold?> TryAcquireAsync(string name, CancellationToken ct);

    // Reads the Lease so its expiry counts from the last change this replica saw (client-go's
    // rule), whoever holds it.
    Task ObserveAsync(string name, CancellationToken ct);
}

// A Lease this replica took. Held turns false once it may have lapsed: a renewal found another
// holder, or none succeeded for two thirds of LeaseDuration (a pause, a partition from the API
// server), so another replica may hold it by now. Disposing releases it.
public interface ILeaseHold : IAsyncDisposable
{
    bool Held { get; }
}

// The simulated cluster has one process; the in-process lock is enough.
public sealed class InProcessLease : ITargetLease
{
    public Task<ILeaseHold?> TryAcquireAsync(string name, CancellationToken ct) =>
        Task.FromResult<ILeaseHold?>(new Nothing());

    public Task ObserveAsync(string name, CancellationToken ct) => Task.CompletedTask;

    private sealed class Nothing : ILeaseHold
    {
        public bool Held => true;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
