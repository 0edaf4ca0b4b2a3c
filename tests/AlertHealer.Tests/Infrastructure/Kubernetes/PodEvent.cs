using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>One change to the pod collection, as kept in the watch history.</summary>
/// <param name="ResourceVersion">The resourceVersion the change produced.</param>
/// <param name="Type">ADDED, MODIFIED or DELETED.</param>
/// <param name="Object">The pod after the change (for DELETED: its last state).</param>
/// <param name="Previous">The pod before the change, for MODIFIED; lets a filtered watch turn it into ADDED/DELETED.</param>
internal sealed record PodEvent(long ResourceVersion, string Type, V1Pod Object, V1Pod? Previous)
{
    /// <summary>How a watcher with <paramref name="filter"/> sees this change, or null when it does not see it.</summary>
    public string? LineFor(PodFilter filter)
    {
        var now = filter.Matches(Object);
        var before = filter.Matches(Previous);
        var type = Type switch
        {
            "MODIFIED" when now && before => "MODIFIED",
            "MODIFIED" when now => "ADDED",
            "MODIFIED" when before => "DELETED",
            "MODIFIED" => null,
            _ => now ? Type : null,
        };
        return type is null ? null : Line(type, Object);
    }

    public static string Line(string type, V1Pod pod) => $"{{\"type\":\"{type}\",\"object\":{k8s.KubernetesJson.Serialize(pod)}}}";
}
