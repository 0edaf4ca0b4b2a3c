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

    // Where the single-flight Leases live: AlertHealer's own namespace.
    public string LeaseNamespace { get; set; } = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : "alerthealer";

    // This replica's name in a Lease's holderIdentity.
    public string Identity { get; set; } = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;

    // A holder that died frees the Lease after this long.
    // Short and renewed (every third of it) while held: a replica killed mid-remediation blocks
    // the others for at most this long.
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    // Reads (get, list) are retried this many times with jittered backoff; deletes never blindly.
    public int ReadRetries { get; set; } = 2;
}
