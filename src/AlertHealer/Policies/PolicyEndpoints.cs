using System.Security.Claims;
using AlertHealer.Audit;
using AlertHealer.Auth;
using AlertHealer.OpenApi;
using AlertHealer.Remediation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AlertHealer.Policies;

public static class PolicyEndpoints
{
    public static IEndpointRouteBuilder MapPolicies(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/policies")
            .WithTags("Policies")
            .RequireAuthorization(Roles.Reader)
            .ProducesTokenProblems()
            .ProducesStoreProblems();

        group.MapGet("/", ListAsync);
        group.MapPost("/{name}/pause", (string name, PolicyActionRequest? body, PolicyActions actions, TimeProvider time, ClaimsPrincipal user, CancellationToken ct) =>
            ApplyAsync(actions.ApplyAsync(name, Outcomes.PolicyPaused, body?.Reason, user,
                s => s with { Paused = true, PausedBy = user.Identity?.Name, PausedAt = time.GetUtcNow(), PauseReason = body?.Reason }, ct), name))
            .RequireAuthorization(Roles.Operator).ProducesBodyProblems().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/resume", (string name, PolicyActionRequest? body, PolicyActions actions, ClaimsPrincipal user, CancellationToken ct) =>
            ApplyAsync(actions.ApplyAsync(name, Outcomes.PolicyResumed, body?.Reason, user,
                s => s with { Paused = false, PausedBy = null, PausedAt = null, PauseReason = null }, ct), name))
            .RequireAuthorization(Roles.Operator).ProducesBodyProblems().ProducesProblem(StatusCodes.Status404NotFound);
        // Clears needs-human and the backoff: the operator says the target is fixed.
        group.MapPost("/{name}/reset", (string name, PolicyActionRequest? body, PolicyActions actions, ClaimsPrincipal user, CancellationToken ct) =>
            ApplyAsync(actions.ApplyAsync(name, Outcomes.PolicyReset, body?.Reason, user, s => s with
            {
                NeedsHuman = false, NeedsHumanReason = null, NeedsHumanSince = null,
                ConsecutiveRestarts = 0, CooldownUntil = null, LastUnhealthyAt = null,
            }, ct), name))
            .RequireAuthorization(Roles.Operator).ProducesBodyProblems().ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/breaker/close", CloseBreakerAsync).WithTags("Policies").RequireAuthorization(Roles.Operator)
            .ProducesTokenProblems().ProducesBodyProblems().ProducesStoreProblems();
        return app;
    }

    private static async Task<Ok<PoliciesView>> ListAsync(PolicyViews views, Heartbeat.DetectionHeartbeat heartbeat, CancellationToken ct) =>
        TypedResults.Ok(await views.BuildAsync(ct) with { Detection = await heartbeat.ViewAsync(ct) });

    private static async Task<Results<Ok<PolicyView>, ProblemHttpResult>> ApplyAsync(Task<PolicyView?> applied, string name) =>
        await applied is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown policy", detail: $"No policy named '{name}'.");

    private static async Task<Ok<BreakerView>> CloseBreakerAsync(PolicyActionRequest? body, PolicyActions actions, PolicyViews views, ClaimsPrincipal user, CancellationToken ct)
    {
        await actions.CloseBreakerAsync(body?.Reason, user, ct);
        return TypedResults.Ok((await views.BuildAsync(ct)).Breaker);
    }
}

public sealed class PolicyViews(PolicyCatalog catalog, IStateStore state, SafetyGates gates, IOptions<BreakerOptions> breaker, TimeProvider time,
    Preflight.PreflightState preflight)
{
    public async Task<PoliciesView> BuildAsync(CancellationToken ct)
    {
        var views = new List<PolicyView>();
        var config = catalog.Status;
        foreach (var policy in catalog.All) views.Add(View(policy, await state.GetPolicyAsync(policy.Name, ct), time.GetUtcNow(), preflight.View(policy.Name)));
        var b = await state.GetBreakerAsync(ct);
        var restarts = await gates.RestartsInWindowAsync(ct);
        return new PoliciesView(views, new BreakerView(restarts >= breaker.Value.MaxRemediations, restarts, breaker.Value.MaxRemediations, breaker.Value.Window, b.ClosedAt, b.ClosedBy), config);
    }

    public static PolicyView View(Policy policy, PolicyState s, DateTimeOffset now, Preflight.PreflightView? preflight = null)
    {
        // cannot-act: a preflight check failed; a heal is still tried (see the decision's preflight step).
        var status = s.Paused ? "paused" : s.NeedsHuman ? "needs-human"
            : preflight?.State == Preflight.PreflightView.CannotAct ? Preflight.PreflightView.CannotAct
            : s.CooldownUntil > now ? "cooldown" : "ready";
        var o = policy.Options;
        return new PolicyView(policy.Name, o.Mode.ToString(), o.Match, o.Target.ToString(), o.Dependency is { } d ? $"{d.Namespace}/{d.Selector}" : null,
            status, s.ConsecutiveRestarts, o.MaxAttempts, s.LastRestartAt, s.CooldownUntil, s.NeedsHuman, s.NeedsHumanReason, s.Paused, s.PausedBy, s.PauseReason, preflight);
    }
}
