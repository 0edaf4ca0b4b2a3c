namespace AlertHealer.Auth;

public sealed class AuthOptions
{
    public const string Section = "AlertHealer:Auth";

    public string? WebhookToken { get; set; }
    public string? WebhookTokenFile { get; set; }
    public string? OperatorToken { get; set; }
    public string? OperatorTokenFile { get; set; }
    public string? ReaderToken { get; set; }
    public string? ReaderTokenFile { get; set; }

    // Lets Kubernetes users call /remediate with their own token (TokenReview +
    // SubjectAccessReview for delete pods in the target namespace).
    public bool KubernetesAuth { get; set; }

    // Tokens shorter than this are refused at startup: they are guessable.
    public const int MinimumLength = 16;
}
