using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Policies;
using Microsoft.Extensions.Options;

namespace AlertHealer.Remediation;

// Decides what to do about one alert (or one manual request) and, unless simulating, does it.
// Every step is traced; the caller stores the entry.
public sealed class RemediationEngine(
    PolicyCatalog policies,
    IStateStore state,
    SafetyGates gates,
    TargetSelection targets,
    SignalGate signal,
    IClusterClient cluster,
    TargetLocks locks,
    ITargetLease leases,
    IOptions<HealerOptions> options,
    TimeProvider time,
    ILogger<RemediationEngine> logger)
{
    public Policy? PolicyFor(AlertRef alert) => policies.Match(alert.Labels);

    public async Task<RemediationResult> ExecuteAsync(RemediationRequest request, bool simulate, CancellationToken ct)
    {
        var trace = new DecisionTrace();
        var policy = request.PolicyName is { } name ? policies.Find(name) : policies.Match(request.Alert!.Labels);
        RemediationResult Done(string outcome, PodAction? action = null, string? error = null) =>
            new(Entry(request, trace, policy, outcome, action, error), policy, outcome == Outcomes.Restarted ? action : null);

        if (policy is null)
        {
            trace.Add("policy", "none", $"no policy matches alert {request.Alert?.Name}");
            return Done(Outcomes.IgnoredNoPolicy);
        }
        trace.Add("policy", "matched", $"policy {policy.Name}, target {policy.TargetKey}");

        if (request.Alert?.Status == "resolved")
        {
            await gates.OnResolvedAsync(policy, trace, simulate, ct);
            return Done(Outcomes.Resolved);
        }

        if (await gates.CheckAsync(policy, request, trace, simulate, ct) is { } suppressed) return Done(suppressed);

        var selection = await targets.SelectAsync(policy, request.Alert, trace, ct);
        if (selection.Outcome is { } skipped) return Done(skipped);
        var pod = selection.Pod!;
        if (await signal.CheckAsync(policy, pod, request, trace, ct) is { } cleared) return Done(cleared);

        var dryRun = options.Value.DryRun || policy.Options.Mode == PolicyMode.DryRun || request.DryRun;
        var action = new PodAction("delete-pod", pod.Namespace, pod.Name, pod.Uid, dryRun || simulate, time.GetUtcNow());
        if (dryRun)
        {
            trace.Add("action", "dry-run", $"would delete pod {pod.Name} (uid {pod.Uid}); " + DryRunWhy(policy, request));
            return Done(Outcomes.DryRun, action);
        }
        if (simulate)
        {
            trace.Add("action", "would-delete", $"would delete pod {pod.Name} (uid {pod.Uid})");
            return Done(Outcomes.Restarted, action);
        }

        using var held = locks.TryAcquire(policy.TargetKey);
        if (held is null)
        {
            trace.Add("single-flight", "busy", $"another remediation of {policy.TargetKey} is running in this replica");
            return Done(Outcomes.InProgress);
        }
        await using var lease = await leases.TryAcquireAsync($"alerthealer-{policy.Name}", ct);
        if (lease is null)
        {
            trace.Add("single-flight", "busy", $"another replica holds the lease for policy {policy.Name}");
            return Done(Outcomes.InProgress);
        }
        trace.Add("single-flight", "acquired", $"lease alerthealer-{policy.Name} held for this remediation");

        try
        {
            var result = await cluster.DeletePodAsync(pod.Namespace, pod.Name, pod.Uid, ct);
            if (result != DeleteResult.Deleted)
            {
                trace.Add("delete", result == DeleteResult.NotFound ? "gone" : "replaced",
                    $"pod {pod.Name} uid {pod.Uid} was {(result == DeleteResult.NotFound ? "already gone" : "replaced by a new pod")}; nothing deleted");
                return Done(Outcomes.AlreadyReplaced);
            }
        }
        catch (ClusterAccessDeniedException ex)
        {
            trace.Add("delete", "denied", ex.Message);
            return Done(Outcomes.Failed, null, ex.Message);
        }

        var after = await state.UpdatePolicyAsync(policy.Name, s => Backoff.AfterRestart(s, policy.Options, time.GetUtcNow()), CancellationToken.None);
        trace.Add("delete", "deleted", $"deleted pod {pod.Name} (uid {pod.Uid}); restart {after.ConsecutiveRestarts} in a row, cooldown until {after.CooldownUntil:O}");
        logger.LogWarning("Policy {Policy} deleted pod {Namespace}/{Pod} (uid {Uid}), trigger {Trigger}",
            policy.Name, pod.Namespace, pod.Name, pod.Uid, request.Trigger);
        return Done(Outcomes.Restarted, action);
    }

    private string DryRunWhy(Policy policy, RemediationRequest request) =>
        options.Value.DryRun ? "AlertHealer:DryRun is on"
        : policy.Options.Mode == PolicyMode.DryRun ? $"policy {policy.Name} is in DryRun mode"
        : "the request asked for a dry run";

    private AuditEntry Entry(RemediationRequest request, DecisionTrace trace, Policy? policy, string outcome, PodAction? action, string? error) => new()
    {
        Time = time.GetUtcNow(),
        Trigger = request.Trigger,
        Policy = policy?.Name,
        Alert = request.Alert,
        Actor = request.Actor,
        Reason = request.Reason,
        Steps = trace.Steps,
        Action = action,
        Outcome = outcome,
        Verification = outcome == Outcomes.Restarted ? Verifications.Pending : null,
        Error = error,
        DryRun = action?.DryRun ?? false,
    };
}
