using AlertHealer.Auth;
using AlertHealer.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlertHealer.Audit;

public static class AuditEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/audit")
            .WithTags("Audit")
            .RequireAuthorization(Roles.Reader)
            .ProducesTokenProblems()
            .ProducesStoreProblems();

        group.MapGet("/", QueryAsync);
        group.MapGet("/{id:long}", GetAsync);
        return app;
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> QueryAsync(
        IAuditStore store, CancellationToken ct,
        DateTimeOffset? since = null, DateTimeOffset? until = null, string? policy = null, string? outcome = null,
        string? trigger = null, string? alertname = null, string? fingerprint = null, int? limit = null, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"'limit' must be between 1 and {MaxLimit}."];
        if (!AuditCursor.TryDecode(cursor, out var before)) errors["cursor"] = ["'cursor' is not a cursor this service returned."];
        if (outcome is not null && !Outcomes.All.Contains(outcome)) errors["outcome"] = [$"'outcome' must be one of: {string.Join(", ", Outcomes.All)}."];
        if (trigger is not null && !Triggers.All.Contains(trigger)) errors["trigger"] = ["'trigger' must be webhook or manual."];
        if (since > until) errors["since"] = ["'since' must not be after 'until'."];
        foreach (var (name, value) in new[] { ("policy", policy), ("alertname", alertname), ("fingerprint", fingerprint) })
        {
            if (value is { Length: > 200 }) errors[name] = [$"'{name}' is at most 200 characters."];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var page = await store.QueryAsync(new AuditQuery(since, until, policy, outcome, trigger, alertname, fingerprint, limit ?? DefaultLimit, before), ct);
        return TypedResults.Ok(page);
    }

    private static async Task<Results<Ok<AuditEntry>, NotFound>> GetAsync(long id, IAuditStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } entry ? TypedResults.Ok(entry) : TypedResults.NotFound();
}
