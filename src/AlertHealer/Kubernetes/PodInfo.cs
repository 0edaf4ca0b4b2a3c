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
    DateTimeOffset? Created = null);

public enum DeleteResult
{
    Deleted,
    NotFound,
    // The UID precondition failed: the name now belongs to a replacement pod.
    Replaced,
}
