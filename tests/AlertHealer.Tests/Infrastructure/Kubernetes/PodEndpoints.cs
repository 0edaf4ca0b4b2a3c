using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>core/v1 pods: list, watch, get and delete.</summary>
internal sealed class PodEndpoints(PodStore store)
{
    public ApiResponse Handle(RecordedRequest request, IQueryCollection query) => request.Verb switch
    {
        "list" => List(request, query),
        "get" => store.Get(request.Namespace, request.Name) is { } pod
            ? ApiResponse.Ok(pod)
            : KubernetesStatus.NotFound("", "pods", request.Name),
        "delete" => Delete(request, query),
        _ => KubernetesStatus.MethodNotAllowed(),
    };

    /// <summary>Opens a watch, or answers why it cannot be opened.</summary>
    public (PodSubscription? Subscription, TimeSpan? Timeout, ApiResponse? Error) StartWatch(RecordedRequest request, IQueryCollection query)
    {
        var filter = Filter(request, query, out var error);
        if (filter is null)
        {
            return (null, null, error);
        }

        long? from = null;
        var rv = query["resourceVersion"].ToString();
        if (rv is not ("" or "0"))
        {
            if (!long.TryParse(rv, out var parsed))
            {
                return (null, null, KubernetesStatus.BadRequest($"invalid resource version: {rv}"));
            }

            from = parsed;
        }

        TimeSpan? timeout = int.TryParse(query["timeoutSeconds"], out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
        return (store.Watch(filter, from), timeout, null);
    }

    private ApiResponse List(RecordedRequest request, IQueryCollection query)
    {
        var filter = Filter(request, query, out var error);
        if (filter is null)
        {
            return error!;
        }

        var (items, rv) = store.List(filter);
        return ApiResponse.Ok(new V1PodList
        {
            ApiVersion = "v1",
            Kind = "PodList",
            Metadata = new V1ListMeta { ResourceVersion = rv.ToString() },
            // Items of a real list response carry no kind/apiVersion.
            Items = [.. items.Select(p => p with { ApiVersion = null, Kind = null })],
        });
    }

    private ApiResponse Delete(RecordedRequest request, IQueryCollection query)
    {
        var options = JsonBody.Read<V1DeleteOptions>(request.Body, out var error);
        if (error is not null)
        {
            return error;
        }

        long? grace = long.TryParse(query["gracePeriodSeconds"], out var g) ? g : options?.GracePeriodSeconds;
        var dryRun = query["dryRun"].Contains("All") || options?.DryRun?.Contains("All") == true;
        return store.Delete(request.Namespace, request.Name, options?.Preconditions, grace, dryRun);
    }

    private static PodFilter? Filter(RecordedRequest request, IQueryCollection query, out ApiResponse? error)
    {
        var fields = query["fieldSelector"].ToString();
        if (request.Name.Length > 0)
        {
            fields = fields.Length == 0 ? $"metadata.name={request.Name}" : $"{fields},metadata.name={request.Name}";
        }

        var filter = PodFilter.TryCreate(request.Namespace, request.LabelSelector, fields, out var message);
        error = filter is null ? KubernetesStatus.BadRequest(message) : null;
        return filter;
    }
}
