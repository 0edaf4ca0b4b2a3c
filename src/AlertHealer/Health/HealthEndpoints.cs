using AlertHealer.Audit;
using AlertHealer.Kubernetes;
using AlertHealer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlertHealer.Health;

public static class HealthEndpoints
{
    public sealed record Readiness(string Status, string Store, string Kubernetes);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Health").AllowAnonymous();

        // Alive: the process answers. Nothing else, so a slow dependency never gets it killed.
        group.MapGet("/healthz", () => TypedResults.Text("ok")).Produces<string>(contentType: "text/plain");
        group.MapGet("/readyz", ReadyAsync).Produces<Readiness>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    // Ready: the audit store takes a write and the Kubernetes API answers. A replica shutting
    // down says so first, so traffic moves to the others while it finishes what it holds. One
    // still waiting for its store at start says why (StorageStartup keeps trying).
    private static async Task<Results<Ok<Readiness>, JsonHttpResult<Readiness>>> ReadyAsync(
        IAuditStore audit, IClusterClient cluster, StoreGate gate, IHostApplicationLifetime lifetime, CancellationToken ct)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return TypedResults.Json(new Readiness("shutting-down", "not checked", "not checked"), Webhooks.ApiJsonContext.Default.Readiness, statusCode: StatusCodes.Status503ServiceUnavailable);
        var store = gate.Waiting is { } waiting ? $"not reached since start: {waiting}" : await CheckAsync(() => audit.ProbeWriteAsync(ct));
        var kubernetes = await CheckAsync(() => cluster.ProbeAsync(ct));
        var ready = store == "ok" && kubernetes == "ok";
        var body = new Readiness(ready ? "ready" : "not-ready", store, kubernetes);
        return ready ? TypedResults.Ok(body) : TypedResults.Json(body, Webhooks.ApiJsonContext.Default.Readiness, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<string> CheckAsync(Func<Task> probe)
    {
        try
        {
            await probe();
            return "ok";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex.GetType().Name switch
            {
                nameof(StoreUnavailableException) => "store unavailable",
                nameof(ClusterAccessDeniedException) => "access denied",
                _ => "unreachable",
            };
        }
    }
}
