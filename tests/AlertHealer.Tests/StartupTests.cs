using AlertHealer.Hosting;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests;

// Startup refusals, shown on the real process: it must exit non-zero with one line on stderr
// (also logged) that names the key, and no stack trace.
public sealed class StartupTests
{
    [Theory]
    [InlineData("AlertHealer__Auth__WebhookToken", null, "AlertHealer:Auth:WebhookToken")]
    [InlineData("AlertHealer__Auth__OperatorToken", null, "AlertHealer:Auth:OperatorToken")]
    [InlineData("AlertHealer__Auth__ReaderToken", null, "AlertHealer:Auth:ReaderToken")]
    [InlineData("AlertHealer__Auth__WebhookToken", "short", "AlertHealer:Auth:WebhookToken")]
    [InlineData("AlertHealer__Policies__whisker__Target__Namespace", "Not A Namespace", "AlertHealer:Policies:whisker:Target:Namespace")]
    [InlineData("AlertHealer__Policies__whisker__Target__Namespace", "calico-system\n", "AlertHealer:Policies:whisker:Target:Namespace")]
    [InlineData("AlertHealer__Policies__whisker__MaxAttempts", "0", "AlertHealer:Policies:whisker:MaxAttempts")]
    [InlineData("AlertHealer__Breaker__MaxRemediations", "0", "AlertHealer:Breaker:MaxRemediations")]
    [InlineData("AlertHealer__Breaker__MaxRemediations", "six", "AlertHealer:Breaker:MaxRemediations")]
    public async Task BadOrMissingSettingStopsStartupNamingTheKey(string variable, string? value, string named)
    {
        var settings = AppProcess.Settings(NewDirectory());
        settings[variable] = value;

        var exit = await AppProcess.RunToExitAsync(settings);

        AssertRefusedInOneLine(exit, named);
    }

    [Fact]
    public async Task PlaceholderTokenFileStopsStartup()
    {
        var directory = NewDirectory();
        var file = Path.Combine(directory, "webhook-token");
        await File.WriteAllTextAsync(file, "CHANGE-ME\n");
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__Auth__WebhookToken"] = null;
        settings["AlertHealer__Auth__WebhookTokenFile"] = file;

        var exit = await AppProcess.RunToExitAsync(settings);

        var line = AssertRefusedInOneLine(exit, "AlertHealer:Auth:WebhookTokenFile");
        Assert.Contains("CHANGE-ME", line);
    }

    [Fact]
    public async Task UnreadableTokenFileStopsStartup()
    {
        // The tests may run as root, who can read any ordinary file; reading /proc/self/mem
        // from offset 0 fails with an I/O error for everyone.
        var settings = AppProcess.Settings(NewDirectory());
        settings["AlertHealer__Auth__ReaderToken"] = null;
        settings["AlertHealer__Auth__ReaderTokenFile"] = "/proc/self/mem";

        var exit = await AppProcess.RunToExitAsync(settings);

        var line = AssertRefusedInOneLine(exit, "AlertHealer:Auth:ReaderTokenFile");
        Assert.Contains("cannot be read", line);
    }

    [Fact]
    public async Task NoClusterConfigurationStopsStartupAndSaysWhatToSet()
    {
        var directory = NewDirectory();
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__Kubernetes__Mode"] = "Auto";
        settings["KUBECONFIG"] = Path.Combine(directory, "no-such-kubeconfig");
        settings["KUBERNETES_SERVICE_HOST"] = null;

        var exit = await AppProcess.RunToExitAsync(settings);

        var line = AssertRefusedInOneLine(exit, "AlertHealer:Kubernetes:Kubeconfig");
        Assert.Contains("No Kubernetes configuration found", line);
        Assert.Contains("--demo", line);
    }

    [Theory]
    [InlineData("missing-certificate", "AlertHealer:Tls:CertificateFile", "does not exist")]
    [InlineData("certificate-not-pem", "AlertHealer:Tls:CertificateFile", "no PEM certificate")]
    [InlineData("key-not-pem", "AlertHealer:Tls:KeyFile", "no usable PEM private key")]
    [InlineData("key-of-another-certificate", "AlertHealer:Tls:KeyFile", "does not belong to the certificate")]
    [InlineData("client-certificate", "AlertHealer:Tls:CertificateFile", "serverAuth")]
    [InlineData("key-file-unset", "AlertHealer:Tls:KeyFile", "must both be set")]
    public async Task BadTlsFilesStopStartupNamingTheKey(string problem, string named, string says)
    {
        var directory = NewDirectory();
        var ca = TestCertificates.CreateAuthority();
        var (leaf, key) = problem == "client-certificate" ? ca.IssueServer(usage: "1.3.6.1.5.5.7.3.2") : ca.IssueServer();
        var (certificateFile, keyFile) = ca.WriteSecret(directory, leaf, key);
        switch (problem)
        {
            case "missing-certificate": File.Delete(certificateFile); break;
            case "certificate-not-pem": await File.WriteAllTextAsync(certificateFile, "CHANGE-ME\n"); break;
            case "key-not-pem": await File.WriteAllTextAsync(keyFile, "CHANGE-ME\n"); break;
            case "key-of-another-certificate": await File.WriteAllTextAsync(keyFile, ca.IssueServer().Key.ExportPkcs8PrivateKeyPem()); break;
            case "key-file-unset": keyFile = ""; break;
        }
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__Tls__CertificateFile"] = certificateFile;
        settings["AlertHealer__Tls__KeyFile"] = keyFile;

        var exit = await AppProcess.RunToExitAsync(settings, urls: "https://127.0.0.1:0");

        var line = AssertRefusedInOneLine(exit, named);
        Assert.Contains(says, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttpNextToRequiredTlsStopsStartup()
    {
        var directory = NewDirectory();
        var ca = TestCertificates.CreateAuthority();
        var (leaf, key) = ca.IssueServer();
        var (certificateFile, keyFile) = ca.WriteSecret(directory, leaf, key);
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__Tls__CertificateFile"] = certificateFile;
        settings["AlertHealer__Tls__KeyFile"] = keyFile;

        var exit = await AppProcess.RunToExitAsync(settings, urls: "https://127.0.0.1:0;http://127.0.0.1:0");

        var line = AssertRefusedInOneLine(exit, "AlertHealer:Tls:Mode");
        Assert.Contains("'http://127.0.0.1:0'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHttpsAddressWithoutACertificateStopsStartup()
    {
        var exit = await AppProcess.RunToExitAsync(AppProcess.Settings(NewDirectory()), urls: "https://127.0.0.1:0");

        var line = AssertRefusedInOneLine(exit, "AlertHealer:Tls:CertificateFile");
        Assert.Contains("'https://127.0.0.1:0'", line, StringComparison.Ordinal);
    }

    // The refusal is one line on stderr, the same line is in the log, and nothing looks like a crash.
    internal static string AssertRefusedInOneLine(AppExit exit, string key)
    {
        Assert.True(exit.ExitCode == StartupRefusal.ExitCode, $"exit code {exit.ExitCode}:\n{exit.Output}");
        Assert.DoesNotContain("Unhandled exception", exit.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(exit.Output.Split('\n'), l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && l.StartsWith("   ", StringComparison.Ordinal));
        var line = Assert.Single(exit.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(StartupRefusal.Prefix, line, StringComparison.Ordinal);
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Contains(line, exit.StandardOutput, StringComparison.Ordinal);
        return line;
    }

    internal static string NewDirectory() => Directory.CreateTempSubdirectory("alerthealer-startup-").FullName;
}
