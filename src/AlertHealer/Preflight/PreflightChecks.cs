using AlertHealer.Kubernetes;
using AlertHealer.Loki;
using AlertHealer.Policies;
using Microsoft.Extensions.Options;

namespace AlertHealer.Preflight;

// The questions of one preflight run. Only reads: access reviews, pod lists, one Loki query per
// policy, Alertmanager's status. Never throws for a dependency's fault: it becomes a failed check.
public sealed class PreflightChecks(
    PolicyCatalog catalog,
    IAccessReview access,
    IClusterClient cluster,
    ISignalCheck signals,
    AlertmanagerProbe alertmanager,
    IOptions<KubernetesOptions> kubernetes,
    TimeProvider time)
{
    // Used as the signal query's $pod when no target pod exists: the query still has to parse and run.
    private const string PlaceholderPod = "preflight";

    public async Task<PreflightRun> RunAsync(CancellationToken ct)
    {
        // Policies on the same namespaces share their permissions: each is asked once per run.
        var verdicts = new Dictionary<AccessRequest, (bool Ok, string Reason)>();
        var am = await alertmanager.CheckAsync(ct);
        var checks = new List<PreflightCheck>();
        foreach (var policy in catalog.All)
        {
            var o = policy.Options;
            foreach (var need in Needs(o))
            {
                if (!verdicts.TryGetValue(need, out var verdict)) verdicts[need] = verdict = await CanIAsync(need, ct);
                checks.Add(new PreflightCheck(policy.Name, $"rbac/{need.Namespace}/{need.Resource}/{need.Verb}", verdict.Ok, verdict.Reason));
            }

            var (targetOk, targetReason, firstTarget) = await SelectAsync(o.Target.Namespace, o.Target.Selector, ct);
            checks.Add(new PreflightCheck(policy.Name, "selector/target", targetOk, targetReason));
            if (o.Dependency is { } d)
            {
                var (ok, reason, _) = await SelectAsync(d.Namespace, d.Selector, ct);
                checks.Add(new PreflightCheck(policy.Name, "selector/dependency", ok, reason));
            }
            if (o.Signal is { } signal && signals is not DisabledSignalCheck)
            {
                var reading = await signals.ReadAsync(signal, o.Target.Namespace, firstTarget ?? PlaceholderPod, ct);
                checks.Add(reading.State == SignalState.Unavailable
                    ? new PreflightCheck(policy.Name, "loki/signal", false, reading.Detail)
                    : new PreflightCheck(policy.Name, "loki/signal", true, $"the signal query ran: {reading.Detail}"));
            }
            if (am is { } a) checks.Add(new PreflightCheck(policy.Name, "alertmanager/api", a.Ok, a.Reason));
        }
        return new PreflightRun(time.GetUtcNow(), checks);
    }

    // Every verb a remediation of this policy may use, where it uses it.
    public IReadOnlyList<AccessRequest> Needs(PolicyOptions o)
    {
        var target = o.Target.Namespace;
        var own = kubernetes.Value.LeaseNamespace;
        var needs = new List<AccessRequest>();
        foreach (var ns in new[] { target, o.Dependency?.Namespace }.OfType<string>().Distinct())
            needs.AddRange(new[] { "get", "list", "watch" }.Select(v => new AccessRequest(v, "", "pods", ns)));
        needs.Add(new AccessRequest("delete", "", "pods", target));
        // Events about the pods it restarts, and about its own pod.
        foreach (var ns in new[] { target, own }.Distinct()) needs.Add(new AccessRequest("create", "events.k8s.io", "events", ns));
        needs.AddRange(new[] { "get", "create", "update" }.Select(v => new AccessRequest(v, "coordination.k8s.io", "leases", own)));
        return needs;
    }

    private async Task<(bool Ok, string Reason)> CanIAsync(AccessRequest need, CancellationToken ct)
    {
        try
        {
            var verdict = await access.CanIAsync(need, ct);
            return (verdict.Allowed, verdict.Allowed ? verdict.Reason : $"may not {need} ({verdict.Reason})");
        }
        catch (Exception ex) when (ex is ClusterUnavailableException or ClusterAccessDeniedException)
        {
            // The check's name says which permission; the reason is the same for all of them.
            return (false, $"could not ask the API server: {ex.Message}");
        }
    }

    private async Task<(bool Ok, string Reason, string? First)> SelectAsync(string ns, string selector, CancellationToken ct)
    {
        try
        {
            var pods = await cluster.ListPodsAsync(ns, selector, ct);
            return pods.Count == 0
                ? (false, $"no pod in {ns} matches {selector}", null)
                : (true, $"{pods.Count} pod(s) in {ns} match {selector}", pods[0].Name);
        }
        catch (Exception ex) when (ex is ClusterUnavailableException or ClusterAccessDeniedException)
        {
            return (false, $"could not list pods in {ns} matching {selector}: {ex.Message}", null);
        }
    }
}
