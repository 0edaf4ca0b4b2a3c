using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// The request pipeline: describe → test hook → injected delay → authentication → injected failure → route → record.
/// Every request is recorded with the status it was answered with, watches when their stream opens.
/// Every answer carries a Date header from the server's clock, as the real API server's (Go's net/http) does.
/// </summary>
internal sealed class ApiDispatcher(
    TimeProvider time,
    string clientToken,
    RequestRecorder recorder,
    FaultInjector faults,
    PodEndpoints pods,
    LeaseStore leases,
    EventStore events,
    ReviewEndpoints reviews)
{
    public Func<RecordedRequest, Task>? BeforeRequest { get; set; }

    public Uri BaseAddress { get; set; } = new("http://127.0.0.1/");

    public CancellationToken Stopping { get; set; }

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        // The cluster's clock, not the test process's: the healer judges durations such as Ready-for by it.
        context.Response.Headers.Date = time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        using var reader = new StreamReader(context.Request.Body);
        var request = RequestAttributes.Describe(context.Request, await reader.ReadToEndAsync(aborted));
        try
        {
            if (BeforeRequest is { } hook)
            {
                await hook(request);
            }

            await faults.DelayAsync(request, aborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RespondAsync(context, request, KubernetesStatus.InternalError($"test hook failed: {e.GetType().Name}: {e.Message}"));
            return;
        }

        if (!Authenticated(context.Request, request))
        {
            await RespondAsync(context, request, KubernetesStatus.Unauthorized());
        }
        else if (faults.TakeFailure(request) is { } code)
        {
            await RespondAsync(context, request, KubernetesStatus.Injected(code, request));
        }
        else if (request is { ApiGroup: "", Resource: "pods", Subresource: "", Verb: "watch" })
        {
            await WatchAsync(context, request);
        }
        else
        {
            await RespondAsync(context, request, Route(request, context.Request.Query));
        }
    }

    private async Task WatchAsync(HttpContext context, RecordedRequest request)
    {
        var (subscription, timeout, error) = pods.StartWatch(request, context.Request.Query);
        if (subscription is null)
        {
            await RespondAsync(context, request, error!);
            return;
        }

        using (subscription)
        {
            recorder.Record(request with { StatusCode = StatusCodes.Status200OK });
            await WatchStream.WriteAsync(context.Response, subscription, timeout, Stopping);
        }
    }

    private ApiResponse Route(RecordedRequest request, IQueryCollection query)
    {
        if (!request.IsResourceRequest)
        {
            return DiscoveryEndpoints.Handle(request, BaseAddress) ?? KubernetesStatus.ResourceNotFound();
        }

        var parts = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var version = request.ApiGroup.Length == 0 ? parts[1] : parts[2];
        return (request.ApiGroup, version, request.Resource, request.Subresource, request.Verb) switch
        {
            ("", "v1", "pods", "", _) => pods.Handle(request, query),
            ("coordination.k8s.io", "v1", "leases", "", var verb) => Lease(request, verb),
            ("events.k8s.io", "v1", "events", "", var verb) => Event(request, verb),
            ("authentication.k8s.io", "v1", "tokenreviews", "", "create") => reviews.TokenReview(request),
            ("authorization.k8s.io", "v1", "subjectaccessreviews", "", "create") => reviews.SubjectAccessReview(request),
            ("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "", "create") => reviews.SelfSubjectAccessReview(request),
            ("authentication.k8s.io", "v1", "tokenreviews", "", _) or ("authorization.k8s.io", "v1", "subjectaccessreviews" or "selfsubjectaccessreviews", "", _) =>
                KubernetesStatus.MethodNotAllowed(),
            _ => KubernetesStatus.ResourceNotFound(),
        };
    }

    private ApiResponse Lease(RecordedRequest request, string verb)
    {
        if (verb is "create" or "update")
        {
            var lease = JsonBody.Read<k8s.Models.V1Lease>(request.Body, out var error);
            if (error is not null || lease is null)
            {
                return error ?? KubernetesStatus.BadRequest("the body of the request was empty");
            }

            return verb == "create" ? leases.Create(request.Namespace, lease) : leases.Replace(request.Namespace, request.Name, lease);
        }

        return verb switch
        {
            "get" => leases.Read(request.Namespace, request.Name),
            "list" => leases.List(request.Namespace),
            _ => KubernetesStatus.MethodNotAllowed(),
        };
    }

    private ApiResponse Event(RecordedRequest request, string verb)
    {
        if (verb == "create")
        {
            var e = JsonBody.Read<k8s.Models.Eventsv1Event>(request.Body, out var error);
            return error ?? (e is null ? KubernetesStatus.BadRequest("the body of the request was empty") : events.Create(request.Namespace, e));
        }

        return verb switch
        {
            "get" => events.Read(request.Namespace, request.Name),
            "list" => events.List(request.Namespace),
            _ => KubernetesStatus.MethodNotAllowed(),
        };
    }

    private bool Authenticated(HttpRequest http, RecordedRequest request) =>
        request is { IsResourceRequest: false, Path: "/version" }
        || string.Equals(http.Headers.Authorization.ToString(), $"Bearer {clientToken}", StringComparison.Ordinal);

    private async Task RespondAsync(HttpContext context, RecordedRequest request, ApiResponse response)
    {
        recorder.Record(request with { StatusCode = response.StatusCode });
        if (faults.TakeLostAnswer(request) is (true, var stall))
        {
            // The request took effect; its answer never reaches the client.
            if (stall)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            context.Abort();
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = "application/json";
        if (response.StatusCode == StatusCodes.Status429TooManyRequests)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        await context.Response.WriteAsync(response.Json, context.RequestAborted);
    }
}
