using System.Collections.Concurrent;

namespace AlertHealer.Remediation;

// Single flight per target (namespace + selector) inside this process.
public sealed class TargetLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public IDisposable? TryAcquire(string target)
    {
        var gate = _locks.GetOrAdd(target, _ => new SemaphoreSlim(1, 1));
        return gate.Wait(0) ? new Release(gate) : null;
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
