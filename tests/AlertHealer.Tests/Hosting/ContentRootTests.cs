using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AlertHealer.Hosting;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Hosting;

// The shipped whisker policy is found wherever the process is started from.
public sealed class ContentRootTests
{
    [Fact]
    public async Task StartedFromAnotherDirectoryTheServiceBecomesReadyWithTheShippedPolicy()
    {
        var elsewhere = StartupTests.NewDirectory();
        Assert.False(File.Exists(Path.Combine(elsewhere, ContentRoot.SettingsFile)));

        await using var app = await AppProcess.StartAsync(AppProcess.Settings(elsewhere), workingDirectory: elsewhere);
        using var http = new HttpClient { BaseAddress = app.Address("http"), Timeout = TimeSpan.FromSeconds(30) };

        using var ready = await http.GetAsync("/readyz");
        Assert.True(ready.StatusCode == HttpStatusCode.OK, app.Output);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/policies");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestApp.ReaderToken);
        using var policies = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, policies.StatusCode);
        var policy = Assert.Single(JsonNode.Parse(await policies.Content.ReadAsStringAsync())!["policies"]!.AsArray())!;
        Assert.Equal("whisker", policy["name"]!.GetValue<string>());
        Assert.Equal("calico-system/k8s-app=whisker", policy["target"]!.GetValue<string>());
        Assert.Contains($"Content root path: {Path.GetDirectoryName(AppProcess.Dll)!.TrimEnd('/')}", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AWorkingDirectoryWithItsOwnSettingsFileStaysTheContentRoot()
    {
        var here = StartupTests.NewDirectory();
        File.WriteAllText(Path.Combine(here, ContentRoot.SettingsFile), "{}");

        Assert.Null(ContentRoot.Choose([], here, "/opt/alerthealer/"));
    }

    [Fact]
    public void WithoutASettingsFileHereTheAppsOwnFolderIsTheContentRoot()
    {
        Assert.Equal("/opt/alerthealer/", ContentRoot.Choose([], StartupTests.NewDirectory(), "/opt/alerthealer/"));
    }

    [Fact]
    public void AnExplicitContentRootWins()
    {
        Assert.Null(ContentRoot.Choose(["--contentRoot", "/etc/alerthealer"], StartupTests.NewDirectory(), "/opt/alerthealer/"));
    }
}
