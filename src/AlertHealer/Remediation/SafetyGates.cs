using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Policies;
using Microsoft.Extensions.Options;

namespace AlertHealer.Remediation;

// The checks between "an alert matched" and "a pod may be deleted": pause, needs-human,
// backoff, the global breaker, and the dependency guard. Returns the suppressing outcome,
// or null when every gate is open.
public sealed class SafetyGates(
    IStateStore state,
    IAuditStore audit,
    IClusterClient cluster,
    IOptions<BreakerOptions> breaker,
    TimeProvider time)
{
    public async Task<string?> CheckAsync(Policy policy, RemediationRequest request, DecisionTrace trace, bool simulate, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var current = await state.GetPolicyAsync(policy.Name, ct);
        if (current.Paused)
        {
            trace.Add("pause", "paused", $"policy paused by {current.PausedBy} at {current.PausedAt:O}: {current.PauseReason}");
            return Outcomes.Paused;
        }
        trace.Add("pause", "not-paused", "policy is active");

        if (!request.Automatic)
        {
            // An operator asking by hand is the human that needs-human, backoff and the breaker wait for.
            trace.Add("backoff", "bypassed", $"manual request; {current.ConsecutiveRestarts} restarts in a row, cooldown until {current.CooldownUntil:O}");
        }
        else if (await CheckAutomaticAsync(policy, current, now, trace, simulate, ct) is { } suppressed)
        {
            return suppressed;
        }

        return await CheckDependencyAsync(policy, now, trace, ct);
    }

    public async Task<int> RestartsInWindowAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var since = now - breaker.Value.Window;
        var closed = (await state.GetBreakerAsync(ct)).ClosedAt;
        return await audit.CountAutomaticRestartsAsync(closed > since ? closed.Value : since, ct);
    }

    public async Task OnResolvedAsync(Policy policy, DecisionTrace trace, bool simulate, CancellationToken ct)
    {
        var current = await state.GetPolicyAsync(policy.Name, ct);
        if (current.NeedsHuman && !simulate)
        {
            await state.UpdatePolicyAsync(policy.Name, s => s with { NeedsHuman = false, NeedsHumanReason = null, NeedsHumanSince = null, ConsecutiveRestarts = 0 }, ct);
            trace.Add("resolved", "needs-human-cleared", "the alert resolved; automatic remediation resumes");
            return;
        }
        trace.Add("resolved", "recorded", "resolved alerts are recorded, never acted on");
    }

    private async Task<string?> CheckAutomaticAsync(Policy policy, PolicyState current, DateTimeOffset now, DecisionTrace trace, bool simulate, CancellationToken ct)
    {
        if (current.NeedsHuman)
        {
            trace.Add("needs-human", "waiting", $"since {current.NeedsHumanSince:O}: {current.NeedsHumanReason}; POST /policies/{policy.Name}/reset to resume");
            return Outcomes.NeedsHuman;
        }
        var fresh = Backoff.ForgetIfHealthy(current, policy.Options, now);
        if (fresh != current)
        {
            trace.Add("backoff", "reset", $"healthy for {policy.Options.HealthyResetAfter} since the last restart; the count starts again");
            current = simulate ? fresh : await state.UpdatePolicyAsync(policy.Name, s => Backoff.ForgetIfHealthy(s, policy.Options, now), ct);
        }
        if (current.CooldownUntil > now)
        {
            trace.Add("backoff", "cooldown", $"restart {current.ConsecutiveRestarts} in a row was at {current.LastRestartAt:O}; cooling down until {current.CooldownUntil:O}");
            return Outcomes.Cooldown;
        }
        if (current.ConsecutiveRestarts >= policy.Options.MaxAttempts)
        {
            var reason = $"{current.ConsecutiveRestarts} restarts in a row did not stick (MaxAttempts {policy.Options.MaxAttempts})";
            if (!simulate) await state.UpdatePolicyAsync(policy.Name, s => s with { NeedsHuman = true, NeedsHumanReason = reason, NeedsHumanSince = now }, ct);
            trace.Add("needs-human", "escalated", reason);
            return Outcomes.NeedsHuman;
        }
        trace.Add("backoff", "clear", $"{current.ConsecutiveRestarts} restarts in a row so far, MaxAttempts {policy.Options.MaxAttempts}");

        var restarts = await RestartsInWindowAsync(ct);
        if (restarts >= breaker.Value.MaxRemediations)
        {
            trace.Add("breaker", "open", $"{restarts} automatic restarts within {breaker.Value.Window} (limit {breaker.Value.MaxRemediations})");
            return Outcomes.BreakerOpen;
        }
        trace.Add("breaker", "closed", $"{restarts} of {breaker.Value.MaxRemediations} automatic restarts used in the window");
        return null;
    }

    // Before re-sending a DELETE that has not landed: the same guard, as one step of its own,
    // since that re-send would be a new restart, not the confirmation of the first.
    public Task<string?> RecheckDependencyAsync(Policy policy, DecisionTrace trace, CancellationToken ct) =>
        CheckDependencyAsync(policy, time.GetUtcNow(), trace, ct, step: "dependency-recheck");

    private async Task<string?> CheckDependencyAsync(Policy policy, DateTimeOffset now, DecisionTrace trace, CancellationToken ct, string step = "dependency")
    {
        if (policy.Options.Dependency is not { } dep)
        {
            trace.Add(step, "none", "the policy has no dependency guard");
            return null;
        }
        var pods = await cluster.ListPodsAsync(dep.Namespace, dep.Selector, ct);
        // Ready-for by the API server's clock (see PodInfo.ReadyFor); ours only when it sent no Date.
        var settled = pods.Where(p => p.Ready && !p.Terminating && (p.ReadySince is null || p.ReadyFor(now) >= dep.MinReadyFor)).ToList();
        if (settled.Count == 0)
        {
            var detail = pods.Count == 0
                ? $"no pod matches {dep.Selector} in {dep.Namespace}"
                : $"no pod matching {dep.Selector} in {dep.Namespace} has been Ready for {dep.MinReadyFor}{Longest(pods, now)}";
            trace.Add(step, "not-ready", detail, pods);
            return Outcomes.DependencyNotReady;
        }
        trace.Add(step, "ready", $"{settled.Count} of {pods.Count} pods matching {dep.Selector} Ready for at least {dep.MinReadyFor}", pods);
        return null;
    }

    // Says how close the guard came, and by whose clock, so a skewed clock is visible in the audit.
    private static string Longest(IReadOnlyList<PodInfo> pods, DateTimeOffset now)
    {
        // One list, one answer: every pod in it carries the same Date, or none does.
        if (pods.Where(p => !p.Terminating).Max(p => p.ReadyFor(now)) is not { } longest) return "";
        var clock = pods[0].ObservedAt is null ? "this replica's clock (the API server sent no Date)" : "the API server's clock";
        return $" (longest {TimeSpan.FromSeconds(Math.Max(0, Math.Floor(longest.TotalSeconds))):c} by {clock})";
    }
}
