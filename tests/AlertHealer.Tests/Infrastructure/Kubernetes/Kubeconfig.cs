namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>Writes a kubeconfig pointing at the fake API server with a bearer-token user.</summary>
internal static class Kubeconfig
{
    public static string Write(string directory, Uri server, string token)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {server.GetLeftPart(UriPartial.Authority)}
            users:
            - name: alerthealer
              user:
                token: {token}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: alerthealer
            current-context: fake
            preferences: {"{}"}

            """);
        return path;
    }
}
