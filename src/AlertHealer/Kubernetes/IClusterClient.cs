namespace AlertHealer.Kubernetes;

// The small slice of the Kubernetes API the healer uses (pods: get, list, watch, delete).
public interface IClusterClient
{
    Task<IReadOnlyList<PodInfo>> ListPodsAsync(string ns, string labelSelector, CancellationToken ct);

    // 404 is null, not an exception.
    Task<PodInfo?> GetPodAsync(string ns, string name, CancellationToken ct);

    // Deletes only the pod with this uid (a precondition), so a replacement is never hit.
    Task<DeleteResult> DeletePodAsync(string ns, string name, string uid, CancellationToken ct);

    // Watches the selector until a pod other than oldUid is Ready; false when ct ends first.
    Task<PodInfo?> WaitForReadyReplacementAsync(string ns, string labelSelector, string oldUid, CancellationToken ct);

    Task ProbeAsync(CancellationToken ct);
}

// A failure worth retrying later: timeouts, 5xx, 429, connection errors. Answered: the API server
// replied with an error status, so the request was refused; otherwise (timeout, reset) it may
// have taken effect without our knowing.
public sealed class ClusterUnavailableException(string message, Exception? inner = null, bool answered = false) : Exception(message, inner)
{
    public bool Answered { get; } = answered;
}

// The API refused us (401/403): retrying will not help; RBAC or credentials are wrong.
public sealed class ClusterAccessDeniedException(string message, Exception? inner = null) : Exception(message, inner);
