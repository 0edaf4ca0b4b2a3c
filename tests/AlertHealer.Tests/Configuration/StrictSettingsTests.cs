using AlertHealer.Configuration;
using AlertHealer.Hosting;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Configuration;

// One table of settings, run on the real process both ways: a start and `check-config` must
// give the same verdict on the same input, naming the same key.
public sealed class StrictSettingsTests
{
    public static TheoryData<SettingsMistake, string> BothWays()
    {
        var data = new TheoryData<SettingsMistake, string>();
        foreach (var mistake in SettingsMistake.All)
        {
            data.Add(mistake, "start");
            data.Add(mistake, CheckConfig.Command);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BothWays))]
    public async Task StartAndCheckConfigGiveTheSameVerdict(SettingsMistake mistake, string way)
    {
        var directory = StartupTests.NewDirectory();
        var settings = AppProcess.Settings(directory);
        foreach (var (key, value) in mistake.Variables) settings[key] = value;
        var database = Path.Combine(directory, "alerthealer.db");

        if (mistake.Refused is { } refused)
        {
            var exit = way == "start"
                ? await AppProcess.RunToExitAsync(settings)
                : await AppProcess.RunToExitAsync(settings, urls: null, arguments: [CheckConfig.Command]);

            if (way == "start") StartupTests.AssertRefusedInOneLine(exit, refused);
            else AssertCheckRefused(exit, refused);
            // Nothing started: no listener, no store.
            Assert.DoesNotContain("Now listening", exit.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(database), "the store was created");
            return;
        }

        if (way == "start")
        {
            var lines = new List<string>();
            await using var app = await AppProcess.StartAsync(settings, line => { lock (lines) lines.Add(line); });
            Assert.False(app.HasExited);
            // The old store name: one warning line, naming the new key.
            if (mistake.Says!.Contains(" is read as ", StringComparison.Ordinal))
                Assert.Single(lines, l => l.Contains(mistake.Says, StringComparison.Ordinal));
        }
        else
        {
            var exit = await AppProcess.RunToExitAsync(settings, urls: null, arguments: [CheckConfig.Command]);
            Assert.True(exit.ExitCode == 0, exit.Output);
            Assert.Contains(mistake.Says!, exit.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"{CheckConfig.Command}: the settings are valid", exit.StandardOutput, StringComparison.Ordinal);
            Assert.Equal("", exit.StandardError);
            Assert.False(File.Exists(database), "check-config created the store");
        }
    }

    // A mounted settings file is held to the same rules: read by a start as
    // appsettings.{Environment}.json, and by check-config as --file.
    [Theory]
    [InlineData("{\"AlertHealer\":{\"Policies\":{\"whisker\":{\"Cooldwon\":\"00:00:01\"}}}}", "AlertHealer:Policies:whisker:Cooldwon is not a setting; did you mean AlertHealer:Policies:whisker:Cooldown?")]
    [InlineData("{\"AlertHealer\":{\"Policies\":{\"canary\":{\"Match\":{\"alertname\":\"CanaryWedged\"},\"Target\":{\"Namespace\":\"canary\",\"Selector\":\"app=canary\"},\"MaxAttempts\":\"three\"}}}}",
        "AlertHealer:Policies:canary:MaxAttempts: 'three' is not a whole number")]
    [InlineData("{\"AlertHealer\":{\"Policies\":{\"canary\":{\"Match\":{\"alertname\":\"CanaryWedged\"},\"Target\":{\"Namespace\":\"canary\",\"Selector\":\"app=canary\"},\"Cooldown\":\"10m\"}}}}",
        "AlertHealer:Policies:canary:Cooldown: '10m' is not a duration")]
    public async Task AMistakeInAMountedFileIsRefusedBothWays(string json, string says)
    {
        var directory = StartupTests.NewDirectory();
        File.Copy(Path.Combine(AppContext.BaseDirectory, ContentRoot.SettingsFile), Path.Combine(directory, ContentRoot.SettingsFile));
        await File.WriteAllTextAsync(Path.Combine(directory, "appsettings.Testing.json"), json);
        var file = Path.Combine(directory, "policies.json");
        await File.WriteAllTextAsync(file, json);
        var settings = AppProcess.Settings(directory);

        var start = await AppProcess.RunToExitAsync(settings, workingDirectory: directory);
        var check = await AppProcess.RunToExitAsync(settings, urls: null, arguments: [CheckConfig.Command, "--file", file]);

        StartupTests.AssertRefusedInOneLine(start, says);
        AssertCheckRefused(check, says);
    }

    [Fact]
    public async Task CheckConfigReadsEachFileAndRefusesOneThatIsMissingOrNotJson()
    {
        var directory = StartupTests.NewDirectory();
        var good = Path.Combine(directory, "canary.json");
        await File.WriteAllTextAsync(good, "{\"AlertHealer\":{\"Policies\":{\"canary\":{\"Match\":{\"alertname\":\"CanaryWedged\"},\"Target\":{\"Namespace\":\"canary\",\"Selector\":\"app=canary\"}}}}}");
        var broken = Path.Combine(directory, "broken.json");
        await File.WriteAllTextAsync(broken, "{\"AlertHealer\": {");
        var settings = AppProcess.Settings(directory);

        var valid = await AppProcess.RunToExitAsync(settings, urls: null, arguments: [CheckConfig.Command, "--file", good]);
        var missing = await AppProcess.RunToExitAsync(settings, urls: null, arguments: [CheckConfig.Command, "--file", good, "--file", Path.Combine(directory, "nope.json")]);
        var notJson = await AppProcess.RunToExitAsync(settings, urls: null, arguments: [CheckConfig.Command, "--file", broken]);

        Assert.True(valid.ExitCode == 0, valid.Output);
        Assert.Contains("policy canary: Enforce; alerts with alertname=CanaryWedged; deletes a pod of canary/app=canary", valid.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("policy whisker: Enforce", valid.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("AlertHealer would start with 2 policies", valid.StandardOutput, StringComparison.Ordinal);
        AssertCheckRefused(missing, $"--file {Path.Combine(directory, "nope.json")} does not exist");
        AssertCheckRefused(notJson, $"--file {broken}:");
    }

    // check-config: each problem on its own line naming its key, a closing count, exit code 1.
    internal static void AssertCheckRefused(AppExit exit, string says)
    {
        Assert.True(exit.ExitCode == StartupRefusal.ExitCode, $"exit code {exit.ExitCode}:\n{exit.Output}");
        var lines = exit.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains(says, StringComparison.Ordinal));
        Assert.Matches($"^{CheckConfig.Command}: [0-9]+ problems?; AlertHealer would refuse to start$", lines[^1]);
        Assert.DoesNotContain("policy ", exit.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", exit.Output, StringComparison.Ordinal);
    }
}
