using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AlertHealer.Auth;

public sealed record ReviewedUser(string Name, IReadOnlyList<string> Groups);

// Kubernetes-native callers: the API server says who a bearer token belongs to (TokenReview)
// and whether that user may delete pods in a namespace (SubjectAccessReview).
public interface IKubernetesReviews
{
    Task<ReviewedUser?> AuthenticateAsync(string token, CancellationToken ct);
    Task<bool> MayDeletePodsAsync(ReviewedUser user, string ns, CancellationToken ct);
}

public sealed class KubernetesReviews(IKubernetes client, TimeProvider time, ILogger<KubernetesReviews> logger) : IKubernetesReviews
{
    // Answers are kept briefly, by token hash, so a flood of bad tokens on /remediate does not
    // become a flood of TokenReviews at the API server.
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(30);
    private const int MaxRemembered = 1024;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ReviewedUser? User, DateTimeOffset Until)> _reviews = new();

    public async Task<ReviewedUser?> AuthenticateAsync(string token, CancellationToken ct)
    {
        var key = Convert.ToHexString(TokenSource.Hash(token));
        var now = time.GetUtcNow();
        if (_reviews.TryGetValue(key, out var known) && known.Until > now) return known.User;
        var user = await ReviewAsync(token, ct);
        if (_reviews.Count >= MaxRemembered) _reviews.Clear();
        _reviews[key] = (user, now + RememberFor);
        return user;
    }

    private async Task<ReviewedUser?> ReviewAsync(string token, CancellationToken ct)
    {
        try
        {
            var review = await client.AuthenticationV1.CreateTokenReviewAsync(
                new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: ct);
            return review.Status?.Authenticated == true && review.Status.User?.Username is { Length: > 0 } name
                ? new ReviewedUser(name, review.Status.User.Groups?.ToList() ?? [])
                : null;
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            // Fail closed: a caller we cannot identify is not authenticated.
            logger.LogWarning("TokenReview failed: {Error}", ex.Message);
            return null;
        }
    }

    public async Task<bool> MayDeletePodsAsync(ReviewedUser user, string ns, CancellationToken ct)
    {
        try
        {
            var review = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
            {
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = user.Name,
                    Groups = user.Groups.ToList(),
                    ResourceAttributes = new V1ResourceAttributes { Verb = "delete", Resource = "pods", NamespaceProperty = ns },
                },
            }, cancellationToken: ct);
            return review.Status?.Allowed == true;
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            logger.LogWarning("SubjectAccessReview for {User} failed: {Error}", user.Name, ex.Message);
            return false;
        }
    }
}

// The simulated cluster knows no users.
public sealed class NoKubernetesReviews : IKubernetesReviews
{
    public Task<ReviewedUser?> AuthenticateAsync(string token, CancellationToken ct) => Task.FromResult<ReviewedUser?>(null);
    public Task<bool> MayDeletePodsAsync(ReviewedUser user, string ns, CancellationToken ct) => Task.FromResult(false);
}
