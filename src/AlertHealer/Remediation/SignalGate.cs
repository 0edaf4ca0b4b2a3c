using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Loki;
using AlertHealer.Policies;

namespace AlertHealer.Remediation;

// Re-reads the policy's log signal for the pod before acting, so a stale alert never
// restarts a pod that has already recovered. Loki being down is FailOpen's call.
public sealed class SignalGate(ISignalCheck signals)
{
    public async Task<string?> CheckAsync(Policy policy, PodInfo pod, RemediationRequest request, DecisionTrace trace, CancellationToken ct)
    {
        if (policy.Options.Signal is not { } signal)
        {
            return null;
        }
        if (!request.Automatic)
        {
            trace.Add("signal", "bypassed", "manual request: the operator has looked");
            return null;
        }
        var reading = await signals.ReadAsync(signal, pod.Namespace, pod.Name, ct);
        switch (reading.State)
        {
            case SignalState.Cleared:
                trace.Add("signal", "cleared", $"{reading.Value} below threshold {signal.Threshold} for pod {pod.Name}: {reading.Detail}");
                return Outcomes.SignalCleared;
            case SignalState.Unavailable when !signal.FailOpen:
                trace.Add("signal", "unavailable", $"the re-check could not run and FailOpen is off: {reading.Detail}");
                return Outcomes.SignalUnavailable;
            case SignalState.Unavailable:
                trace.Add("signal", "unavailable", $"the re-check could not run; acting on the alert alone (FailOpen): {reading.Detail}");
                return null;
            case SignalState.Disabled:
                trace.Add("signal", "disabled", reading.Detail);
                return null;
            default:
                trace.Add("signal", "present", $"{reading.Value} at or above threshold {signal.Threshold} for pod {pod.Name}");
                return null;
        }
    }
}
