using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests;

public sealed class StartupTests
{
    [Theory]
    [InlineData("AlertHealer:Auth:WebhookToken", "AlertHealer:Auth:WebhookToken")]
    [InlineData("AlertHealer:Auth:OperatorToken", "AlertHealer:Auth:OperatorToken")]
    [InlineData("AlertHealer:Auth:ReaderToken", "AlertHealer:Auth:ReaderToken")]
    public async Task MissingTokenStopsStartupNamingTheKey(string key, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(s => s[key] = null));

        Assert.Contains(named, Flatten(error));
    }

    [Fact]
    public async Task NoClusterConfigurationStopsStartupAndSaysWhatToSet()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(s =>
        {
            s["AlertHealer:Kubernetes:Mode"] = "Kubeconfig";
            s["AlertHealer:Kubernetes:Kubeconfig"] = "/nonexistent/kubeconfig";
        }));

        var message = Flatten(error);
        Assert.Contains("AlertHealer:Kubernetes:Kubeconfig", message);
        Assert.Contains("--demo", message);
    }

    [Theory]
    [InlineData("AlertHealer:Policies:whisker:Target:Namespace", "Not A Namespace", "AlertHealer:Policies:whisker:Target:Namespace")]
    [InlineData("AlertHealer:Policies:whisker:MaxAttempts", "0", "AlertHealer:Policies:whisker:MaxAttempts")]
    [InlineData("AlertHealer:Breaker:MaxRemediations", "0", "AlertHealer:Breaker:MaxRemediations")]
    [InlineData("AlertHealer:Auth:WebhookToken", "short", "AlertHealer:Auth:WebhookToken")]
    public async Task BadOptionStopsStartupNamingTheKey(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(s => s[key] = value));

        Assert.Contains(named, Flatten(error));
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
