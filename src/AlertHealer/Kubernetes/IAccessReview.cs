namespace AlertHealer.Kubernetes;

// `kubectl auth can-i` for AlertHealer's own identity (SelfSubjectAccessReview).
public interface IAccessReview
{
    // The API's verdict; ClusterUnavailableException or ClusterAccessDeniedException when it gives none.
    Task<AccessVerdict> CanIAsync(AccessRequest request, CancellationToken ct);
}

public sealed record AccessRequest(string Verb, string Group, string Resource, string Namespace)
{
    public override string ToString() => $"{Verb} {(Group.Length > 0 ? $"{Resource}.{Group}" : Resource)} in {Namespace}";
}

public sealed record AccessVerdict(bool Allowed, string Reason);

// The simulated cluster has no RBAC: everything is allowed, and says so.
public sealed class SimulatedAccessReview : IAccessReview
{
    public Task<AccessVerdict> CanIAsync(AccessRequest request, CancellationToken ct) =>
        Task.FromResult(new AccessVerdict(true, "simulated cluster"));
}
