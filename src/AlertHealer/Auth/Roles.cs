namespace AlertHealer.Auth;

// One bearer token per role. The operator may also read.
public static class Roles
{
    public const string Webhook = "webhook";
    public const string Operator = "operator";
    public const string Reader = "reader";

    // A Kubernetes user (TokenReview), allowed on /remediate only if a SubjectAccessReview
    // says it may delete the target's pods.
    public const string KubernetesUser = "kubernetes-user";

    // The /remediate policy: the operator token, or a Kubernetes user when that mode is on.
    public const string Remediate = "remediate";
}
