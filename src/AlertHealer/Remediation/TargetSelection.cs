using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Policies;

namespace AlertHealer.Remediation;

public sealed record Selection(PodInfo? Pod, string? Outcome);

// Finds the pod to restart: the one the alert names (label pod), else the policy's target.
// Only controller-owned pods qualify: something must recreate what we delete.
public sealed class TargetSelection(IClusterClient cluster)
{
    public async Task<Selection> SelectAsync(Policy policy, AlertRef? alert, DecisionTrace trace, CancellationToken ct)
    {
        var target = policy.Options.Target;
        IReadOnlyList<PodInfo> pods;
        if (NamedPod(alert, target.Namespace) is { } named)
        {
            // The alert names the pod: read exactly that one. It must still carry the target's
            // labels, so an alert can never steer a delete outside the policy's selector.
            var namedPod = await cluster.GetPodAsync(target.Namespace, named, ct);
            if (namedPod is null || namedPod.Terminating)
            {
                trace.Add("target", "already-replaced", $"the alert names pod {named}, which no longer exists in {target.Namespace}");
                return new Selection(null, Outcomes.AlreadyReplaced);
            }
            if (!LabelSelectors.Matches(namedPod.Labels, target.Selector))
            {
                trace.Add("target", "none", $"pod {named} does not match the policy's selector {target.Selector}; it is not this policy's to restart", [namedPod]);
                return new Selection(null, Outcomes.NoTarget);
            }
            pods = [namedPod];
        }
        else
        {
            pods = await cluster.ListPodsAsync(target.Namespace, target.Selector, ct);
        }
        var eligible = pods.Where(p => p.Controlled && !p.Terminating).ToList();
        // A pod created after the alert started cannot be the pod whose logs fired it.
        var newer = alert is null ? [] : eligible.Where(p => p.Created > alert.StartsAt).ToList();
        if (newer.Count > 0 && newer.Count == eligible.Count)
        {
            trace.Add("target", "created-after-alert", $"every eligible pod was created after the alert started at {alert!.StartsAt:O} "
                + $"({string.Join(", ", newer.Select(p => $"{p.Name} at {p.Created:O}"))}); the pod whose logs fired it is gone", pods);
            return new Selection(null, Outcomes.AlreadyReplaced);
        }
        eligible = [.. eligible.Except(newer)];
        if (eligible.Count == 0)
        {
            var detail = pods.Count == 0
                ? $"no pod matches {target.Selector} in {target.Namespace}"
                : $"no pod matching {target} has a controller owner reference (nothing would recreate it) or all are terminating";
            trace.Add("target", "none", detail, pods);
            return new Selection(null, Outcomes.NoTarget);
        }
        var pod = eligible.OrderBy(p => p.Name, StringComparer.Ordinal).First();
        trace.Add("target", "selected", eligible.Count == 1
            ? $"pod {pod.Name} (uid {pod.Uid})"
            : $"pod {pod.Name} (uid {pod.Uid}), the first of {eligible.Count} eligible; one pod per decision", pods);
        return new Selection(pod, null);
    }

    // The alert's pod label counts only when the alert is about the target's namespace.
    private static string? NamedPod(AlertRef? alert, string ns) =>
        alert?.Labels.TryGetValue("pod", out var pod) == true && !string.IsNullOrEmpty(pod)
        && (!alert.Labels.TryGetValue("namespace", out var alertNs) || alertNs == ns)
            ? pod
            : null;
}
