using System.Diagnostics;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Tls;

namespace AlertHealer.Tests.EndToEnd;

// The real Alertmanager delivering the webhook over HTTPS with the shipped tls_config, trusting
// only the CA that issued AlertHealer's certificate; AlertHealer is the real process with TLS required.
public sealed class AlertmanagerTlsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AlertmanagerDeliversTheWebhookOverTlsTrustingOnlyTheIssuingCa()
    {
        var ca = TestCertificates.CreateAuthority();
        var secret = StartupTests.NewDirectory();
        var (leaf, key) = ca.IssueServer();
        var files = ca.WriteSecret(secret, leaf, key);
        await using var app = await TlsTests.StartAsync(ca, secret, files);
        var https = app.Address("https");
        await using var alertmanager = await AlertmanagerProcess.StartAsync(https, TestApp.WebhookToken, caFile: Path.Combine(secret, "ca.crt"));
        var now = TimeProvider.System.GetUtcNow();

        await alertmanager.PostAlertsAsync(RulerAlert.WhiskerWedged(Fixtures.WedgedPod, now.AddMinutes(-2), now));

        using var reader = ca.TrustingClient(https);
        reader.DefaultRequestHeaders.Authorization = new("Bearer", TestApp.ReaderToken);
        var entry = await WaitForWebhookEntryAsync(reader, app, alertmanager);
        Assert.Equal(Triggers.Webhook, entry.Trigger);
        Assert.Equal("whisker", entry.Policy);
        Assert.Equal(("WhiskerBackendWedged", "firing"), (entry.Alert!.Name, entry.Alert.Status));
        var metrics = await alertmanager.MetricsAsync(
            "alertmanager_notifications_total{integration=\"webhook\"}",
            "alertmanager_notifications_failed_total{integration=\"webhook\"}");
        Assert.True(metrics["alertmanager_notifications_total{integration=\"webhook\"}"] >= 1, alertmanager.Log);
        Assert.Equal(0, metrics["alertmanager_notifications_failed_total{integration=\"webhook\"}"]);
    }

    private static async Task<AuditEntry> WaitForWebhookEntryAsync(HttpClient reader, AppProcess app, AlertmanagerProcess alertmanager)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Patience)
        {
            var page = await reader.GetFromJsonAsync<AuditPage>("/audit?trigger=webhook", Json.Options);
            if (page!.Items.Count > 0) return page.Items[0];
            await Task.Delay(100);
        }
        throw new TimeoutException($"No webhook entry within {Patience}.\n--- Alertmanager ---\n{alertmanager.Log}\n--- AlertHealer ---\n{app.Output}");
    }
}
