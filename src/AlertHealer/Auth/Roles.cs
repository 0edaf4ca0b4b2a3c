namespace AlertHealer.Auth;

// One bearer token per role. The operator may also read.
public static class Roles
{
    public const string Webhook = "webhook";
    public const string Operator = "operator";
    public const string Reader = "reader";
}
