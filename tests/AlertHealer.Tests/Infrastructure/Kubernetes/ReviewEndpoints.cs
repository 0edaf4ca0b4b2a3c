using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>authentication.k8s.io/v1 TokenReview and authorization.k8s.io/v1 SubjectAccessReview and SelfSubjectAccessReview (create only, answered 201).</summary>
internal sealed class ReviewEndpoints(AccessRules rules)
{
    public ApiResponse TokenReview(RecordedRequest request)
    {
        var review = JsonBody.Read<V1TokenReview>(request.Body, out var error);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrEmpty(review?.Spec?.Token))
        {
            return KubernetesStatus.BadRequest("token is required for TokenReview in authentication");
        }

        var user = rules.Authenticate(review.Spec.Token);
        return ApiResponse.Created(new V1TokenReview
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenReview",
            Metadata = new V1ObjectMeta(),
            Spec = review.Spec,
            Status = user is null
                ? new V1TokenReviewStatus { Authenticated = false, User = new V1UserInfo(), Error = "[invalid bearer token, token lookup failed]" }
                : new V1TokenReviewStatus { Authenticated = true, User = user, Audiences = review.Spec.Audiences },
        });
    }

    /// <summary>
    /// What the API client itself may do. As the RBAC authorizer answers: allowed with the binding that allows it,
    /// or not allowed with no reason (RBAC has no opinion on what it does not grant; it never sets denied).
    /// The review itself needs create selfsubjectaccessreviews; without it the request is refused 403.
    /// </summary>
    public ApiResponse SelfSubjectAccessReview(RecordedRequest request)
    {
        if (rules.AuthorizeClient(new V1ResourceAttributes { Verb = "create", Group = "authorization.k8s.io", Resource = "selfsubjectaccessreviews" }) is null)
        {
            return KubernetesStatus.Forbidden(ShippedGrants.ServiceAccount, "create", "authorization.k8s.io", "selfsubjectaccessreviews", "");
        }

        var review = JsonBody.Read<V1SelfSubjectAccessReview>(request.Body, out var error);
        if (error is not null)
        {
            return error;
        }

        var spec = review?.Spec;
        if (spec is null || (spec.ResourceAttributes is null) == (spec.NonResourceAttributes is null))
        {
            return KubernetesStatus.Invalid("SelfSubjectAccessReview", "authorization.k8s.io", "", "spec.resourceAttributes", "FieldValueInvalid",
                "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }

        var reason = spec.ResourceAttributes is null ? null : rules.AuthorizeClient(spec.ResourceAttributes);
        return ApiResponse.Created(new V1SelfSubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SelfSubjectAccessReview",
            Metadata = new V1ObjectMeta(),
            Spec = spec,
            Status = new V1SubjectAccessReviewStatus { Allowed = reason is not null, Reason = reason ?? "" },
        });
    }

    public ApiResponse SubjectAccessReview(RecordedRequest request)
    {
        var review = JsonBody.Read<V1SubjectAccessReview>(request.Body, out var error);
        if (error is not null)
        {
            return error;
        }

        var spec = review?.Spec;
        if (spec is null || (spec.ResourceAttributes is null) == (spec.NonResourceAttributes is null))
        {
            return KubernetesStatus.Invalid("SubjectAccessReview", "authorization.k8s.io", "", "spec.resourceAttributes", "FieldValueInvalid",
                "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }

        if (string.IsNullOrEmpty(spec.User) && (spec.Groups is null || spec.Groups.Count == 0))
        {
            return KubernetesStatus.Invalid("SubjectAccessReview", "authorization.k8s.io", "", "spec.user", "FieldValueInvalid",
                "Invalid value: \"\": at least one of user or group must be specified");
        }

        var reason = spec.ResourceAttributes is null ? null : rules.Authorize(spec.User, spec.Groups ?? [], spec.ResourceAttributes);
        return ApiResponse.Created(new V1SubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SubjectAccessReview",
            Metadata = new V1ObjectMeta(),
            Spec = spec,
            Status = new V1SubjectAccessReviewStatus { Allowed = reason is not null, Reason = reason },
        });
    }
}
