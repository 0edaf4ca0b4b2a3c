using System.Security.Claims;
using AlertHealer.Auth;
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
            .RequireAuthorization(Roles.Reader);

        group.MapGet("/", ListAsync);
        group.MapPost("/{name}/pause", (string name, PolicyActionRequest? body, IStateStore state, PolicyCatalog catalog, TimeProvider time, ClaimsPrincipal user, CancellationToken ct) =>
            ChangeAsync(name, catalog, state, time, s => s with { Paused = true, PausedBy = user.Identity?.Name, PausedAt = time.GetUtcNow(), PauseReason = body?.Reason }, ct))
            .RequireAuthorization(Roles.Operator);
        group.MapPost("/{name}/resume", (string name, IStateStore state, PolicyCatalog catalog, TimeProvider time, CancellationToken ct) =>
            ChangeAsync(name, catalog, state, time, s => s with { Paused = false, PausedBy = null, PausedAt = null, PauseReason = null }, ct))
            .RequireAuthorization(Roles.Operator);
        // Clears needs-human and the backoff: the operator says the target is fixed.
        group.MapPost("/{name}/reset", async (string name, IStateStore state, PolicyCatalog catalog, Escalations escalations, TimeProvider time, CancellationToken ct) =>
        {
            var result = await ChangeAsync(name, catalog, state, time, s => s with
            {
                NeedsHuman = false, NeedsHumanReason = null, NeedsHumanSince = null,
                ConsecutiveRestarts = 0, CooldownUntil = null, LastUnhealthyAt = null,
            }, ct);
            // The operator says the target is fixed: end the page for it.
            if (result.Result is Ok<PolicyView>) await escalations.OnRecoveredAsync(name);
            return result;
        })
            .RequireAuthorization(Roles.Operator);

        app.MapPost("/breaker/close", CloseBreakerAsync).WithTags("Policies").RequireAuthorization(Roles.Operator);
        return app;
    }

    private static async Task<Ok<PoliciesView>> ListAsync(PolicyViews views, CancellationToken ct) =>
        TypedResults.Ok(await views.BuildAsync(ct));

    private static async Task<Results<Ok<PolicyView>, ProblemHttpResult>> ChangeAsync(
        string name, PolicyCatalog catalog, IStateStore state, TimeProvider time, Func<PolicyState, PolicyState> change, CancellationToken ct)
    {
        if (catalog.Find(name) is not { } policy)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown policy", detail: $"No policy named '{name}'.");
        }
        var updated = await state.UpdatePolicyAsync(policy.Name, change, ct);
        return TypedResults.Ok(PolicyViews.View(policy, updated, time.GetUtcNow()));
    }

    private static async Task<Ok<BreakerView>> CloseBreakerAsync(IStateStore state, PolicyViews views, Escalations escalations, TimeProvider time, ClaimsPrincipal user, CancellationToken ct)
    {
        await state.UpdateBreakerAsync(_ => new BreakerState { ClosedAt = time.GetUtcNow(), ClosedBy = user.Identity?.Name }, ct);
        await escalations.OnRecoveredAsync(Escalations.AllPolicies);
        return TypedResults.Ok((await views.BuildAsync(ct)).Breaker);
    }
}

public sealed class PolicyViews(PolicyCatalog catalog, IStateStore state, SafetyGates gates, IOptions<BreakerOptions> breaker, TimeProvider time)
{
    public async Task<PoliciesView> BuildAsync(CancellationToken ct)
    {
        var views = new List<PolicyView>();
        foreach (var policy in catalog.All) views.Add(View(policy, await state.GetPolicyAsync(policy.Name, ct), time.GetUtcNow()));
        var b = await state.GetBreakerAsync(ct);
        var restarts = await gates.RestartsInWindowAsync(ct);
        return new PoliciesView(views, new BreakerView(restarts >= breaker.Value.MaxRemediations, restarts, breaker.Value.MaxRemediations, breaker.Value.Window, b.ClosedAt, b.ClosedBy));
    }

    public static PolicyView View(Policy policy, PolicyState s, DateTimeOffset now)
    {
        var status = s.Paused ? "paused" : s.NeedsHuman ? "needs-human" : s.CooldownUntil > now ? "cooldown" : "ready";
        var o = policy.Options;
        return new PolicyView(policy.Name, o.Mode.ToString(), o.Match, o.Target.ToString(), o.Dependency is { } d ? $"{d.Namespace}/{d.Selector}" : null,
            status, s.ConsecutiveRestarts, o.MaxAttempts, s.LastRestartAt, s.CooldownUntil, s.NeedsHuman, s.NeedsHumanReason, s.Paused, s.PausedBy, s.PauseReason);
    }
}
