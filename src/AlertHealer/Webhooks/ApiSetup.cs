using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;

namespace AlertHealer.Webhooks;

// JSON, validation and error responses shared by every endpoint.
public static class ApiSetup
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            foreach (var converter in ApiJsonContext.Default.Options.Converters) o.SerializerOptions.Converters.Add(converter);
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.MaxDepth = 32;
        });
        // Report fields as they appear on the wire: alerts[0].labels.alertname, not Alerts[0].Labels.
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        // Named, not found by scanning the assembly (which the native build cannot do); a test keeps the list complete.
        builder.Services.AddSingleton<IValidator<AlertmanagerWebhook>, AlertmanagerWebhookValidator>();
        builder.Services.AddSingleton<IValidator<Remediation.RemediateRequest>, Remediation.RemediateRequestValidator>();
        // Malformed bodies throw, so the handler below can say what was wrong and where.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        return builder;
    }

    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    // A store that cannot be read or written is a 503 everywhere, never a 500.
    private sealed class StoreUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
        {
            if (exception is not Storage.StoreUnavailableException) return false;
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 503, Title = "The audit store is unavailable; retry later." },
            });
        }
    }

    private sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
        {
            if (exception is not BadHttpRequestException bad) return false;
            var json = FindJsonError(bad);
            context.Response.StatusCode = bad.StatusCode;
            var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                    StatusCodes.Status415UnsupportedMediaType => "The request body must be application/json.",
                    _ => "The request could not be read.",
                },
                Detail = json is not null ? $"Invalid JSON at {json.Path ?? "$"}: {Trim(json.Message)}" : Trim(bad.Message),
            };
            if (json?.Path is { } path) problem.Extensions["errors"] = new Dictionary<string, string[]> { [path] = [Trim(json.Message)] };
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = null });
        }

        private static JsonException? FindJsonError(Exception e) =>
            e is JsonException j ? j : e.InnerException is { } inner ? FindJsonError(inner) : null;

        // Exception messages can echo input; keep them short.
        private static string Trim(string message) => message.Length > 300 ? message[..300] + "…" : message;
    }
}
