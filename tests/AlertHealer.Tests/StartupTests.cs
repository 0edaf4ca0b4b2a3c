using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests;

// Startup refusals, shown on the real process: it must exit non-zero and say what to set.
public sealed class StartupTests
{
    private static Dictionary<string, string?> ValidSettings(string directory) => new()
    {
        ["AlertHealer__Kubernetes__Mode"] = "Simulated",
        ["AlertHealer__Audit__ConnectionString"] = $"Data Source={Path.Combine(directory, "alerthealer.db")}",
        ["AlertHealer__Auth__WebhookToken"] = TestApp.WebhookToken,
        ["AlertHealer__Auth__OperatorToken"] = TestApp.OperatorToken,
        ["AlertHealer__Auth__ReaderToken"] = TestApp.ReaderToken,
    };

    [Theory]
    [InlineData("AlertHealer__Auth__WebhookToken", null, "AlertHealer:Auth:WebhookToken")]
    [InlineData("AlertHealer__Auth__OperatorToken", null, "AlertHealer:Auth:OperatorToken")]
    [InlineData("AlertHealer__Auth__ReaderToken", null, "AlertHealer:Auth:ReaderToken")]
    [InlineData("AlertHealer__Auth__WebhookToken", "short", "AlertHealer:Auth:WebhookToken")]
    [InlineData("AlertHealer__Policies__whisker__Target__Namespace", "Not A Namespace", "AlertHealer:Policies:whisker:Target:Namespace")]
    [InlineData("AlertHealer__Policies__whisker__Target__Namespace", "calico-system\n", "AlertHealer:Policies:whisker:Target:Namespace")]
    [InlineData("AlertHealer__Policies__whisker__MaxAttempts", "0", "AlertHealer:Policies:whisker:MaxAttempts")]
    [InlineData("AlertHealer__Breaker__MaxRemediations", "0", "AlertHealer:Breaker:MaxRemediations")]
    public async Task BadOrMissingSettingStopsStartupNamingTheKey(string variable, string? value, string named)
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-startup-").FullName;
        var settings = ValidSettings(directory);
        settings[variable] = value;

        var (exitCode, output) = await RunAsync(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(named, output);
    }

    [Fact]
    public async Task PlaceholderTokenFileStopsStartup()
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-startup-").FullName;
        var file = Path.Combine(directory, "webhook-token");
        await File.WriteAllTextAsync(file, "CHANGE-ME\n");
        var settings = ValidSettings(directory);
        settings["AlertHealer__Auth__WebhookToken"] = null;
        settings["AlertHealer__Auth__WebhookTokenFile"] = file;

        var (exitCode, output) = await RunAsync(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AlertHealer:Auth:WebhookTokenFile", output);
    }

    [Fact]
    public async Task NoClusterConfigurationStopsStartupAndSaysWhatToSet()
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-startup-").FullName;
        var settings = ValidSettings(directory);
        settings["AlertHealer__Kubernetes__Mode"] = "Auto";
        settings["KUBECONFIG"] = Path.Combine(directory, "no-such-kubeconfig");
        settings["KUBERNETES_SERVICE_HOST"] = null;

        var (exitCode, output) = await RunAsync(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("No Kubernetes configuration found", output);
        Assert.Contains("AlertHealer:Kubernetes:Kubeconfig", output);
        Assert.Contains("--demo", output);
    }

    private static Task<(int ExitCode, string Output)> RunAsync(Dictionary<string, string?> environment) =>
        AppProcess.RunToExitAsync(environment);
}
