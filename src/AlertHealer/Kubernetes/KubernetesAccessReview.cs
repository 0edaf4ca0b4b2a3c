using System.Net;
using AlertHealer.Metrics;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace AlertHealer.Kubernetes;

// authorization.k8s.io/v1 SelfSubjectAccessReview: asks the API server what this identity may do,
// without doing it (RBAC: create selfsubjectaccessreviews, cluster-scoped).
public sealed class KubernetesAccessReview(IKubernetes client, IOptions<KubernetesOptions> options, TimeProvider time, HealerMetrics metrics) : IAccessReview
{
    public async Task<AccessVerdict> CanIAsync(AccessRequest request, CancellationToken ct)
    {
        var callTimeout = options.Value.CallTimeout;
        using var timeout = new CancellationTokenSource(callTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var started = time.GetTimestamp();
        var failed = true;
        try
        {
            var review = await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
            {
                ApiVersion = "authorization.k8s.io/v1",
                Kind = "SelfSubjectAccessReview",
                Spec = new V1SelfSubjectAccessReviewSpec
                {
                    ResourceAttributes = new V1ResourceAttributes
                    {
                        Verb = request.Verb, Group = request.Group, Resource = request.Resource, NamespaceProperty = request.Namespace,
                    },
                },
            }, cancellationToken: linked.Token);
            failed = false;
            return Verdict(review.Status);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ClusterUnavailableException($"the SelfSubjectAccessReview timed out after {callTimeout}");
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ClusterAccessDeniedException(
                $"Kubernetes refused create selfsubjectaccessreviews ({(int)ex.Response.StatusCode}): {ex.Response.Content}", ex);
        }
        catch (HttpOperationException ex)
        {
            throw new ClusterUnavailableException($"the SelfSubjectAccessReview was answered {(int)ex.Response.StatusCode}", ex, answered: true);
        }
        catch (HttpRequestException ex)
        {
            throw new ClusterUnavailableException($"the SelfSubjectAccessReview failed: {ex.Message}", ex);
        }
        finally
        {
            metrics.DependencyCall("kubernetes", "access-review", time.GetElapsedTime(started), failed);
        }
    }

    // As the API answers: RBAC gives no reason for a denial, only for what it allows.
    private static AccessVerdict Verdict(V1SubjectAccessReviewStatus? status)
    {
        var reason = status?.Reason is { Length: > 0 } r ? r : null;
        var error = status?.EvaluationError is { Length: > 0 } e ? $"evaluation error: {e}" : null;
        var detail = string.Join("; ", new[] { reason, error }.Where(s => s is not null));
        if (status?.Allowed == true) return new AccessVerdict(true, detail.Length > 0 ? detail : "allowed");
        var verdict = status?.Denied == true ? "explicitly denied" : "not allowed";
        return new AccessVerdict(false, detail.Length > 0 ? $"{verdict}: {detail}" : verdict);
    }
}
