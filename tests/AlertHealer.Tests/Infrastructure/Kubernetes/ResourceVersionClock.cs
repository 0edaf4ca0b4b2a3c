namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>The cluster-wide resourceVersion counter (etcd's revision): one sequence for every resource.</summary>
internal sealed class ResourceVersionClock
{
    private long current = 1000;

    public long Current => Interlocked.Read(ref current);

    public long Next() => Interlocked.Increment(ref current);

    /// <summary>Deep copy through the same JSON the wire uses, so stored objects are never shared.</summary>
    public static T Copy<T>(T value) => k8s.KubernetesJson.Deserialize<T>(k8s.KubernetesJson.Serialize(value));
}
