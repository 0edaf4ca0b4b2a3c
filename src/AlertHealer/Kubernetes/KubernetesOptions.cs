namespace AlertHealer.Kubernetes;

public enum ClusterMode
{
    Auto,
    InCluster,
    Kubeconfig,
    Simulated,
}

public sealed class KubernetesOptions
{
    public const string Section = "AlertHealer:Kubernetes";

    public ClusterMode Mode { get; set; } = ClusterMode.Auto;

    // Kubeconfig file; empty means $KUBECONFIG, then ~/.kube/config.
    public string? Kubeconfig { get; set; }

    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    // Reads (get, list) are retried this many times with jittered backoff; deletes never blindly.
    public int ReadRetries { get; set; } = 2;
}
