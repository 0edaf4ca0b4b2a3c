using System.Diagnostics;
using AlertHealer.Heartbeat;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Ui;
using Microsoft.Extensions.Time.Testing;
using OpenQA.Selenium;
using Xunit.Abstractions;
using static AlertHealer.Tests.Heartbeat.Heartbeats;

namespace AlertHealer.Tests.EndToEnd;

/// <summary>
/// The detection heartbeat through the real Alertmanager with the shipped route: pushed the way the
/// Loki ruler pushes it, re-sent by Alertmanager, recorded by AlertHealer; then Alertmanager stops
/// and the heartbeat goes stale in the metric, on the page (real headless Chromium) and as an Event.
/// </summary>
public sealed class HeartbeatEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private const string Notifications = "alertmanager_notifications_total{integration=\"webhook\"}";

    // AlertHealerDetectionHeartbeat as the ruler sends it: firing since startsAt, valid for 4m.
    private static RulerAlert Beat(DateTimeOffset startsAt, DateTimeOffset now) => new(
        new Dictionary<string, string> { ["alertname"] = AlertName, ["severity"] = "none", ["rule_group"] = Group },
        new Dictionary<string, string> { ["summary"] = "Detection heartbeat" },
        startsAt,
        now + RulerAlert.FiringValidFor,
        "http://loki.example.invalid/graph?g0.expr=vector%281%29+%3E+0");

    [Fact]
    public async Task AHeartbeatThroughTheRealAlertmanagerArrivesAndGoesStaleWhenAlertmanagerStops()
    {
        // The healer's clock starts at Alertmanager's wall-clock time and moves only when told.
        var now = TimeProvider.System.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        await using var app = await TestApp.StartAsync(time: new FakeTimeProvider(now), kestrel: true);

        await using (var alertmanager = await AlertmanagerProcess.StartAsync(app.BaseAddress, TestApp.WebhookToken))
        {
            await alertmanager.PostAlertsAsync(Beat(now.AddMinutes(-1), TimeProvider.System.GetUtcNow()));

            // It arrives, and Alertmanager keeps re-sending it (repeat_interval).
            var sent = await WaitForAsync(async () =>
                (await alertmanager.MetricsAsync(Notifications))[Notifications] is var n and >= 2 ? (object)n : null,
                "two heartbeat notifications", alertmanager);
            var arrived = await DetectionAsync(app);
            Assert.Equal(DetectionView.Ok, arrived.Status);
            Assert.Equal(("alertmanager", Group, now), (arrived.Sender, arrived.RuleGroup, arrived.LastSeenAt));
            Assert.Equal("detection path: last heartbeat 0 s ago", arrived.Summary);
            Assert.Equal(0, Value(await MetricsAsync(app), "alerthealer_detection_heartbeat_age_seconds"));
            Assert.Empty((await app.AuditAsync("?limit=500")).Items);
            output.WriteLine($"Alertmanager sent {sent} heartbeat notifications");
        }
        // Alertmanager has stopped: nothing is sent any more.

        await AdvanceThenWaitAsync(app, TimeSpan.FromMinutes(4), () => SelfEvents(app, HeartbeatMonitor.StaleReason).Count > 0, "stale Event");

        var detection = await DetectionAsync(app);
        Assert.Equal(DetectionView.Stale, detection.Status);
        var age = Value(await MetricsAsync(app), "alerthealer_detection_heartbeat_age_seconds");
        Assert.True(age > 180, $"age {age}");
        Assert.Equal(detection.AgeSeconds, age);
        var warning = Assert.Single(SelfEvents(app, HeartbeatMonitor.StaleReason));
        Assert.Equal("Warning", warning.Type);
        Assert.Contains($"since {now:u}", warning.Note);

        using var browser = Browser.Start();
        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));
        var banner = browser.WaitFor(() => browser.One("#detection-banner") is { Displayed: true } b ? b : null, "the detection banner");
        Assert.Contains("Detection path stale", banner.Text);
        Assert.Contains($"last heartbeat {detection.AgeSeconds} s ago", banner.Text);
        var line = browser.One("#detection");
        Assert.Equal("stale", line.GetDomAttribute("data-status"));
        Assert.Contains($"detection path: last heartbeat {detection.AgeSeconds} s ago", line.Text);
        Assert.Contains("from alertmanager, rule group alerthealer-heartbeat", line.Text);
        Assert.True(page.MainShown);
        output.WriteLine(browser.Screenshot("detection-path-stale"));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what, AlertmanagerProcess alertmanager) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No {what} within {Patience}.\n--- Alertmanager ---\n{alertmanager.Log}");
    }
}
