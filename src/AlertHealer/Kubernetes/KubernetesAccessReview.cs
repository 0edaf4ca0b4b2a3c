using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AlertHealer.Kubernetes;

// authorization.k8s.io/v1 SelfSubjectAccessReview: asks the API server what this identity may do,
// without doing it (RBAC: create selfsubjectaccessreviews, cluster-scoped).
public sealed class KubernetesAccessReview(IKubernetes client, KubernetesCalls calls) : IAccessReview
{
    public async Task<AccessVerdict> CanIAsync(AccessRequest request, CancellationToken ct)
    {
        var body = new V1SelfSubjectAccessReview
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
        };
        try
        {
            var review = await calls.RunAsync("access-review",
                t => client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(body, cancellationToken: t), ct, "create selfsubjectaccessreviews");
            return Verdict(review.Status);
        }
        catch (HttpOperationException ex)
        {
            // Any other answer (a 4xx the review should never get) says nothing of the permission.
            throw new ClusterUnavailableException($"Kubernetes create selfsubjectaccessreviews answered {(int)ex.Response.StatusCode}", ex, answered: true);
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
