using System.Security.Claims;
using AlertHealer.Audit;
using AlertHealer.Auth;
using AlertHealer.Inbox;
using AlertHealer.OpenApi;
using AlertHealer.Policies;
using AlertHealer.Security;
using AlertHealer.Validation;
using AlertHealer.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlertHealer.Remediation;

public static class RemediationEndpoints
{
    public static IEndpointRouteBuilder MapRemediation(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("")
            .WithTags("Remediation")
            .RequireRateLimiting(ManualRateLimit.Policy)
            .ProducesTokenProblems()
            .ProducesBodyProblems()
            .ProducesRateLimitProblems()
            .ProducesStoreProblems();

        // The operator token, or (when enabled) a Kubernetes user allowed to delete the pods.
        group.MapPost("/remediate", RemediateAsync).Validate<RemediateRequest>().RequireAuthorization(Roles.Remediate)
            .WithBodyLimit(l => l.RemediateBodyBytes)
            .ProducesProblem(StatusCodes.Status404NotFound)
            // This replica lost its claim on the request mid-decision: another one decides it.
            .ProducesProblem(StatusCodes.Status409Conflict)
            .Produces<RemediateResponse>(StatusCodes.Status502BadGateway)
            // The DELETE was sent but its answer lost: confirmed in the background.
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        group.MapPost("/simulate", SimulateAsync).Validate<AlertmanagerWebhook>().RequireAuthorization(Roles.Operator)
            .WithBodyLimit(l => l.SimulateBodyBytes);
        return app;
    }

    private static async Task<Results<Ok<RemediateResponse>, JsonHttpResult<RemediateResponse>, ProblemHttpResult>> RemediateAsync(
        RemediateRequest body, PolicyCatalog policies, ManualRemediation manual, IKubernetesReviews reviews, ClaimsPrincipal user, CancellationToken ct)
    {
        if (policies.Find(body.Policy!) is not { } policy)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown policy",
                detail: $"No policy named '{body.Policy}'. Known policies: {string.Join(", ", policies.All.Select(p => p.Name))}.");
        }
        if (user.IsInRole(Roles.KubernetesUser))
        {
            var reviewed = new ReviewedUser(user.Identity!.Name!, user.FindAll(BearerTokenHandler.GroupClaim).Select(c => c.Value).ToList());
            if (!await reviews.MayDeletePodsAsync(reviewed, policy.Options.Target.Namespace, ct))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                    detail: $"Kubernetes says {reviewed.Name} may not delete pods in {policy.Options.Target.Namespace}.");
            }
        }
        var actor = new Actor(user.FindFirstValue(ClaimTypes.Role) ?? Roles.Operator, user.Identity?.Name ?? "unknown");
        var request = new RemediationRequest(Triggers.Manual, null, body.Policy, body.DryRun, body.Reason, actor);
        var processed = await manual.RunAsync(request, ct);
        if (processed.Fenced)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Taken over by another replica",
                detail: $"This replica stalled past its claim on the request and another replica took it over ({processed.Error}). "
                    + "That replica decides it and records the outcome in the audit log; look there before asking again.");
        }
        if (processed.Entry is not { } entry)
        {
            var intent = processed.Unconfirmed!;
            return TypedResults.Problem(statusCode: StatusCodes.Status504GatewayTimeout, title: "The restart is not confirmed yet",
                detail: $"The DELETE of pod {intent.Pod} (uid {intent.Uid}) was sent but Kubernetes did not answer ({processed.Error}). "
                    + "AlertHealer re-sends exactly that DELETE until it is confirmed and records the restart in the audit log; do not ask again.");
        }
        var response = RemediateResponse.From(entry);
        // A decision is a 200 whatever it was; a remediation that failed on Kubernetes is a 502.
        return entry.Outcome == Outcomes.Failed
            ? TypedResults.Json(response, Webhooks.ApiJsonContext.Default.RemediateResponse, statusCode: StatusCodes.Status502BadGateway)
            : TypedResults.Ok(response);
    }

    // What the worker would decide for this body now: no action, nothing recorded.
    private static async Task<Ok<SimulateResponse>> SimulateAsync(
        AlertmanagerWebhook body, RemediationEngine engine, IInboxStore inbox, CancellationToken ct)
    {
        var results = new List<SimulatedAlert>();
        foreach (var alert in body.Alerts!)
        {
            var alertRef = WebhookEndpoints.ToRef(alert!);
            if (await inbox.ConcludedByAsync(InboxAlert.From(alertRef).IncidentKey, ct) is { } auditId)
            {
                results.Add(new SimulatedAlert(alertRef.Fingerprint, alertRef.Status, "duplicate", null, true,
                    [new DecisionStep("idempotency", "duplicate", $"incident already decided by audit entry {auditId}; a re-send adds only a duplicate count")]));
                continue;
            }
            var result = await engine.ExecuteAsync(new RemediationRequest(Triggers.Webhook, alertRef), simulate: true, ct);
            results.Add(new SimulatedAlert(alertRef.Fingerprint, alertRef.Status, result.Entry.Outcome, result.Entry.Policy, false, result.Entry.Steps));
        }
        return TypedResults.Ok(new SimulateResponse(results));
    }
}
