namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>What the simulated ReplicaSet controller does after a controlled pod is deleted.</summary>
public enum ReplacementPolicy
{
    /// <summary>Nothing replaces the pod.</summary>
    None,

    /// <summary>A new pod with the same labels appears at once and is Ready.</summary>
    RecreateReady,

    /// <summary>A new pod with the same labels appears at once but is not Ready until <c>SetReady</c>.</summary>
    RecreateNotReady,
}
