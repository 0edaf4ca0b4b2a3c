using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// Namespace + label selector + field selector of a list or watch request. Field selectors support
/// <c>=</c>, <c>==</c> and <c>!=</c> on the fields the API server indexes for pods.
/// </summary>
internal sealed class PodFilter
{
    private static readonly Dictionary<string, Func<V1Pod, string?>> Fields = new(StringComparer.Ordinal)
    {
        ["metadata.name"] = p => p.Metadata.Name,
        ["metadata.namespace"] = p => p.Metadata.NamespaceProperty,
        ["spec.nodeName"] = p => p.Spec?.NodeName ?? "",
        ["spec.restartPolicy"] = p => p.Spec?.RestartPolicy ?? "",
        ["spec.schedulerName"] = p => p.Spec?.SchedulerName ?? "",
        ["spec.serviceAccountName"] = p => p.Spec?.ServiceAccountName ?? "",
        ["status.phase"] = p => p.Status?.Phase ?? "",
        ["status.podIP"] = p => p.Status?.PodIP ?? "",
        ["status.nominatedNodeName"] = p => p.Status?.NominatedNodeName ?? "",
    };

    private readonly string ns;
    private readonly LabelSelector labels;
    private readonly IReadOnlyList<Func<V1Pod, bool>> fields;

    private PodFilter(string ns, LabelSelector labels, IReadOnlyList<Func<V1Pod, bool>> fields) =>
        (this.ns, this.labels, this.fields) = (ns, labels, fields);

    /// <summary>True when the pod is visible to this request.</summary>
    public bool Matches(V1Pod? pod) =>
        pod is not null
        && (ns.Length == 0 || pod.Metadata.NamespaceProperty == ns)
        && labels.Matches(pod.Metadata.Labels)
        && fields.All(f => f(pod));

    public static PodFilter? TryCreate(string ns, string? labelSelector, string? fieldSelector, out string error)
    {
        var labels = LabelSelector.TryParse(labelSelector, out error);
        if (labels is null)
        {
            return null;
        }

        var fields = new List<Func<V1Pod, bool>>();
        foreach (var term in (fieldSelector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var pieces = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (pieces.Length != 2)
            {
                error = $"invalid selector: '{fieldSelector}'; can't understand '{term}'";
                return null;
            }

            if (!Fields.TryGetValue(pieces[0].Trim(), out var read))
            {
                error = $"field label not supported: {pieces[0].Trim()}";
                return null;
            }

            var expected = pieces[1].Trim();
            fields.Add(p => (read(p) == expected) != negate);
        }

        return new PodFilter(ns, labels, fields);
    }
}
