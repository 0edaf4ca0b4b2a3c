namespace AlertHealer.Kubernetes;

// What the healer needs to know of a pod, independent of the client library.
public sealed record PodInfo(
    string Namespace,
    string Name,
    string Uid,
    bool Ready,
    DateTimeOffset? ReadySince,
    bool Controlled,
    bool Terminating,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset? Created = null,
    // The API server's clock when the pod was read (its Date header); null when it sent none.
    DateTimeOffset? ObservedAt = null)
{
    // How long the pod has been Ready, judged by the cluster's clock, which also stamped
    // ReadySince; our own clock (ahead by any skew) would shorten a guard's wait by that skew.
    public TimeSpan? ReadyFor(DateTimeOffset ourNow) => Ready && ReadySince is { } since ? (ObservedAt ?? ourNow) - since : null;
}

public enum DeleteResult
{
    Deleted,
    NotFound,
    // The UID precondition failed: the name now belongs to a replacement pod.
    Replaced,
}
