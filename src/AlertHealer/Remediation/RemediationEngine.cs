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
    Preflight.PreflightState preflight,
    TimeProvider time,
    ILogger<RemediationEngine> logger)
{
    public Policy? PolicyFor(AlertRef alert) => policies.Match(alert.Labels);

    public Policy? PolicyFor(string name) => policies.Find(name);

    // intents records the DELETE durably right before it is sent (null only when simulating).
    public async Task<RemediationResult> ExecuteAsync(RemediationRequest request, bool simulate, CancellationToken ct,
        IntentScope? intents = null)
    {
        var trace = new DecisionTrace();
        var policy = request.PolicyName is { } name ? policies.Find(name) : policies.Match(request.Alert!.Labels);
        RemediationResult Done(string outcome, PodAction? action = null, string? error = null) =>
            new(Entry(request, trace, policy, outcome, action, error), policy, outcome == Outcomes.Restarted ? action : null);

        if (policy is null)
        {
            trace.Add("policy", "none", request.Alert is { } alert && policies.RemovedMatch(alert.Labels) is { } removed
                ? $"no policy matches alert {alert.Name}: policy {removed.Policy.Name}, which matched it, was removed by the policy reload at {removed.At:O}"
                : $"no policy matches alert {request.Alert?.Name}");
            return Done(Outcomes.IgnoredNoPolicy);
        }
        trace.Add("policy", "matched", $"policy {policy.Name}, target {policy.TargetKey}");

        if (request.Alert?.Status == "resolved")
        {
            await gates.OnResolvedAsync(policy, trace, simulate, ct);
            return Done(Outcomes.Resolved);
        }

        // Recorded, not enforced: a stale or wrong preflight must not stop a heal that could work;
        // the decision's own reads and the DELETE's answer are what count.
        if (preflight.View(policy.Name) is { } checkedBefore)
            trace.Add("preflight", checkedBefore.State, checkedBefore.Failed.Count == 0
                ? $"every check passed at {checkedBefore.CheckedAt:O}"
                : $"at {checkedBefore.CheckedAt:O}: {string.Join("; ", checkedBefore.Failed.Select(c => $"{c.Check}: {c.Reason}"))}; acting anyway");

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
        await using var lease = await leases.TryAcquireAsync(LeaseName(policy), ct);
        if (lease is null)
        {
            trace.Add("single-flight", "busy", $"another replica holds the lease for policy {policy.Name}");
            return Done(Outcomes.InProgress);
        }
        if (intents is not null && await intents.Unconfirmed(policy.Name) is { } open)
        {
            trace.Add("single-flight", "unconfirmed", $"the DELETE of pod {open.Pod} (uid {open.Uid}) decided at {open.DecidedAt:O} is not confirmed yet; it is retried first");
            return Done(Outcomes.InProgress);
        }
        trace.Add("single-flight", "acquired", $"lease {LeaseName(policy)} held for this remediation");

        var intent = new DeleteIntent(policy.Name, pod.Namespace, pod.Name, pod.Uid, action.At, [.. trace.Steps]);
        if (!lease.Held)
        {
            // Paused or cut off from the API server since taking the Lease: another replica may
            // hold it and have restarted the target. Nothing is sent; the item is decided afresh.
            throw new ClusterUnavailableException($"the lease {LeaseName(policy)} was not renewed in time and may be another replica's; no DELETE was sent");
        }
        if (intents is not null) await intents.Record(intent);
        try
        {
            var result = await cluster.DeletePodAsync(pod.Namespace, pod.Name, pod.Uid, ct);
            if (result != DeleteResult.Deleted)
            {
                // The first DELETE found the pod gone or replaced: something else restarted it.
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
        return await RestartedAsync(request, policy, trace, action, $"deleted pod {pod.Name} (uid {pod.Uid})");
    }

    // Finishes a decision whose DELETE was sent before but never confirmed (lost answer,
    // timeout, crash, or another replica's claim). It re-sends exactly that DELETE: a 404 or
    // 409 now means the recorded pod is gone, which is the restart we asked for. While the pod
    // is still there the first DELETE has not landed, and the re-send would be a restart of its
    // own: it waits until the dependency guard passes again.
    public async Task<RemediationResult> ResumeAsync(RemediationRequest request, DeleteIntent intent, string? lastError, CancellationToken ct)
    {
        var policy = policies.Find(intent.Policy);
        var trace = new DecisionTrace();
        foreach (var step in intent.Steps) trace.Add(step);
        trace.Add("intent", "resumed", $"the DELETE of pod {intent.Pod} (uid {intent.Uid}) decided at {intent.DecidedAt:O} was not confirmed"
            + (lastError is null ? "" : $" ({lastError})") + "; re-sending exactly that DELETE, no new target is selected");
        var action = new PodAction("delete-pod", intent.Namespace, intent.Pod, intent.Uid, false, intent.DecidedAt);
        if (policy is null)
        {
            // The policy was removed from configuration meanwhile; the pod may already be gone.
            trace.Add("policy", "none", $"policy {intent.Policy} no longer exists; the unconfirmed DELETE is recorded as failed");
            return new(Entry(request, trace, null, Outcomes.Failed, action, $"policy {intent.Policy} no longer exists"), null, null);
        }

        using var held = locks.TryAcquire(policy.TargetKey)
            ?? throw new ClusterUnavailableException($"another remediation of {policy.TargetKey} is running in this replica");
        await using var lease = await leases.TryAcquireAsync(LeaseName(policy), ct)
            ?? throw new ClusterUnavailableException($"another replica holds the lease for policy {policy.Name}");
        if (policy.Options.Dependency is { } dep
            && intent.NotLandedOn(await cluster.GetPodAsync(intent.Namespace, intent.Pod, ct))
            && await gates.RecheckDependencyAsync(policy, trace, ct) is not null)
        {
            // Not answered: the first DELETE may still land, so the intent is kept and never given up.
            throw new ClusterUnavailableException($"the DELETE of pod {intent.Pod} (uid {intent.Uid}) has not landed and no pod matching "
                + $"{dep.Selector} in {dep.Namespace} is Ready for {dep.MinReadyFor} any more; it is re-sent once one is");
        }
        try
        {
            var result = await cluster.DeletePodAsync(intent.Namespace, intent.Pod, intent.Uid, ct);
            return await RestartedAsync(request, policy, trace, action, result switch
            {
                DeleteResult.Deleted => $"deleted pod {intent.Pod} (uid {intent.Uid}) on the re-sent DELETE",
                DeleteResult.NotFound => $"pod {intent.Pod} (uid {intent.Uid}) is gone: the earlier DELETE took effect",
                _ => $"pod {intent.Pod} now has another uid: the earlier DELETE of uid {intent.Uid} took effect and it was recreated",
            });
        }
        catch (ClusterAccessDeniedException ex)
        {
            trace.Add("delete", "denied", ex.Message);
            return new(Entry(request, trace, policy, Outcomes.Failed, null, ex.Message), policy, null);
        }
    }

    // The backoff is not written here: the caller stores it with the entry in one transaction.
    private async Task<RemediationResult> RestartedAsync(RemediationRequest request, Policy policy, DecisionTrace trace, PodAction action, string what)
    {
        var now = time.GetUtcNow();
        var after = Backoff.AfterRestart(await state.GetPolicyAsync(policy.Name, CancellationToken.None), policy.Options, now);
        trace.Add("delete", "deleted", $"{what}; restart {after.ConsecutiveRestarts} in a row, cooldown until {after.CooldownUntil:O}");
        logger.LogWarning("Policy {Policy} restarted pod {Namespace}/{Pod} (uid {Uid}), trigger {Trigger}",
            policy.Name, action.Namespace, action.Pod, action.Uid, request.Trigger);
        return new(Entry(request, trace, policy, Outcomes.Restarted, action, null), policy, action,
            s => Backoff.AfterRestart(s, policy.Options, now));
    }

    public static string LeaseName(Policy policy) => $"alerthealer-{policy.Name}";

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
