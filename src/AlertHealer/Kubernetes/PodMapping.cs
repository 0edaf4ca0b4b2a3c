using k8s.Models;

namespace AlertHealer.Kubernetes;

public static class PodMapping
{
    public static PodInfo ToInfo(this V1Pod pod, DateTimeOffset? observedAt = null)
    {
        var ready = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        var isReady = string.Equals(ready?.Status, "True", StringComparison.Ordinal);
        DateTimeOffset? since = isReady && ready?.LastTransitionTime is { } t
            ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))
            : null;
        return new PodInfo(
            pod.Metadata.NamespaceProperty,
            pod.Metadata.Name,
            pod.Metadata.Uid,
            isReady,
            since,
            pod.Metadata.OwnerReferences?.Any(o => o.Controller == true) == true,
            pod.Metadata.DeletionTimestamp is not null,
            pod.Metadata.Labels?.ToDictionary() ?? new Dictionary<string, string>(),
            pod.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
            observedAt);
    }
}
