using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AlertHealer.Audit;
using AlertHealer.Tests.HighAvailability;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Ui;

namespace AlertHealer.Tests.EndToEnd;

/// <summary>
/// The shipped build itself (the native binary tests/run.sh publishes, as the image holds it) in
/// the parts the in-process suites cover on the JIT build: the real Alertmanager delivering to it,
/// and its page in Chromium showing what it did.
/// </summary>
public sealed class ShippedBuildTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheRealAlertmanagerDeliversToTheShippedBuildWhichRestartsWhiskerOnceAndShowsItOnItsPage()
    {
        await using var replicas = await Replicas.StartAsync();
        await using var healer = await replicas.StartAsync("shipped");
        await using var alertmanager = await AlertmanagerProcess.StartAsync(healer.Process.BaseAddress, TestApp.WebhookToken);
        var now = TimeProvider.System.GetUtcNow();

        await alertmanager.PostAlertsAsync(RulerAlert.WhiskerWedged(Fixtures.WedgedPod, now.AddMinutes(-2), now));

        var restarted = await Replicas.EventuallyAsync(async () =>
            (await healer.AuditAsync()).FirstOrDefault(e => e is { Outcome: Outcomes.Restarted, Verification: Verifications.Healed }),
            Patience, $"a healed restart from Alertmanager's delivery; the healer said:\n{healer.Process.Output}");
        Assert.Equal((Triggers.Webhook, Fixtures.WedgedPod), (restarted.Trigger, restarted.Action!.Pod));
        var delete = Assert.Single(replicas.Kube.Deletes());
        Assert.Equal(Fixtures.WedgedPod, delete.Name);
        Assert.True(AppProcess.IsNative || Environment.GetEnvironmentVariable("CI") != "true", "CI runs the process suites on the native build");

        using var browser = Browser.Start();
        var page = UiPage.Open(browser, healer.Process.BaseAddress, UiPage.WithToken(TestApp.ReaderToken));
        var row = page.WaitForEntry(Outcomes.Restarted);
        Assert.Contains(Fixtures.WedgedPod, row.Text, StringComparison.Ordinal);
        Assert.Equal("cooldown", UiPage.PolicyStatus(page.WaitForPolicy("whisker")));
        Assert.DoesNotContain(browser.ConsoleMessages(), m => m.Contains("SEVERE", StringComparison.Ordinal));

        // The same metrics, with the same types and help, as the build the in-process suites test.
        await using var jit = await TestApp.StartAsync();
        Assert.Equal(Described(await jit.Anonymous.GetStringAsync("/metrics")), Described(await healer.Anonymous.GetStringAsync("/metrics")));
    }

    [Fact]
    public async Task TheShippedBuildRefusesABadWebhookBodyWithEveryFieldNamed()
    {
        // FluentValidation on the native build: the same rules, the same 400, the fields as written on the wire.
        var directory = Directory.CreateTempSubdirectory("alerthealer-shipped-").FullName;
        await using var app = await AppProcess.StartAsync(AppProcess.Settings(directory), workingDirectory: directory);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestApp.WebhookToken);

        using var response = await http.PostAsync("/webhook/alertmanager",
            new StringContent("""{"version":"4","alerts":[{"status":"bogus"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["alerts[0].fingerprint", "alerts[0].labels", "alerts[0].startsAt", "alerts[0].status", "status"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal("'status' must be \"firing\" or \"resolved\".", errors["alerts[0].status"]![0]!.GetValue<string>());
    }

    private static string[] Described(string metrics) =>
        [.. metrics.Split('\n').Where(l => l.StartsWith("# TYPE alerthealer_", StringComparison.Ordinal) || l.StartsWith("# HELP alerthealer_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
}
