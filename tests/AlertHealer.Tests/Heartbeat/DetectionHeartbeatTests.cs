using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Heartbeat;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Webhooks;
using static AlertHealer.Tests.Heartbeat.Heartbeats;

namespace AlertHealer.Tests.Heartbeat;

// The detection heartbeat on the webhook: kept as state (when, from whom, which rule group),
// never an incident; its age on GET /policies and /metrics; a Warning Event when it goes stale
// and a Normal one when it comes back.
public sealed class DetectionHeartbeatTests
{
    private const string Age = "alerthealer_detection_heartbeat_age_seconds";
    private const string Limit = "alerthealer_detection_heartbeat_stale_after_seconds";

    [Fact]
    public async Task BeforeTheFirstHeartbeatTheDetectionPathSaysNeverAndItsAgeIsInfinite()
    {
        await using var app = await TestApp.StartAsync();

        var detection = await DetectionAsync(app);
        var metrics = await MetricsAsync(app);

        Assert.Equal(DetectionView.Never, detection.Status);
        Assert.False(detection.Healthy);
        Assert.Null(detection.LastSeenAt);
        Assert.Equal("detection path: no heartbeat has ever arrived", detection.Summary);
        Assert.Equal(TimeSpan.FromMinutes(3), detection.StaleAfter);
        // prometheus-net writes +Inf as "Infinity", which Prometheus' parser reads as +Inf.
        Assert.Equal(double.PositiveInfinity, Value(metrics, Age));
        Assert.Equal(180, Value(metrics, Limit));
    }

    [Fact]
    public async Task AHeartbeatIsRecordedAsStateAndNeverBecomesAnIncident()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.PostWebhookAsync(FromAlertmanager());
        app.Time.Advance(TimeSpan.FromSeconds(42));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ack = (await response.Content.ReadFromJsonAsync<WebhookAck>(Json.Options))!;
        Assert.Equal((1, 0, 0), (ack.Received, ack.Queued, ack.Duplicates));
        var item = Assert.Single(ack.Alerts);
        Assert.Equal(("heartbeat", null), (item.Disposition, item.InboxId));
        var detection = await DetectionAsync(app);
        Assert.Equal(DetectionView.Ok, detection.Status);
        Assert.Equal("detection path: last heartbeat 42 s ago", detection.Summary);
        Assert.Equal(TestApp.Start, detection.LastSeenAt);
        Assert.Equal(("alertmanager", Group), (detection.Sender, detection.RuleGroup));
        var metrics = await MetricsAsync(app);
        Assert.Equal(42, Value(metrics, Age));
        Assert.Equal(0, Value(metrics, "alerthealer_inbox_depth"));
        Assert.DoesNotContain("alerthealer_alerts_received_total{", metrics, StringComparison.Ordinal);
        Assert.Empty((await app.AuditAsync("?limit=500")).Items);
    }

    [Fact]
    public async Task EveryHeartbeatRewritesTheSameStateInsteadOfAddingEntries()
    {
        await using var app = await TestApp.StartAsync();

        for (var i = 0; i < 5; i++)
        {
            (await app.PostWebhookAsync(FromAlertmanager())).EnsureSuccessStatusCode();
            app.Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal("detection path: last heartbeat 60 s ago", (await DetectionAsync(app)).Summary);
        Assert.Equal(TestApp.Start.AddMinutes(4), (await DetectionAsync(app)).LastSeenAt);
        Assert.Empty((await app.AuditAsync("?limit=500")).Items);
    }

    [Fact]
    public async Task AGrafanaHeartbeatIsRecordedWithGrafanaAsTheSender()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.PostWebhookAsync(FromGrafana());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var detection = await DetectionAsync(app);
        Assert.Equal((DetectionView.Ok, "grafana", Group), (detection.Status, detection.Sender, detection.RuleGroup));
        Assert.Empty((await app.AuditAsync("?limit=500")).Items);
    }

    [Fact]
    public async Task AResolvedHeartbeatDoesNotCountAsOne()
    {
        await using var app = await TestApp.StartAsync();

        (await app.PostWebhookAsync(FromAlertmanager("resolved"))).EnsureSuccessStatusCode();

        Assert.Equal(DetectionView.Never, (await DetectionAsync(app)).Status);
        Assert.Empty((await app.AuditAsync("?limit=500")).Items);
    }

    [Fact]
    public async Task AHeartbeatBesideAWedgeAlertLeavesTheWedgeToTheInbox()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var body = System.Text.Json.Nodes.JsonNode.Parse(Fixtures.Firing)!.AsObject();
        var beat = System.Text.Json.Nodes.JsonNode.Parse(body["alerts"]![0]!.ToJsonString())!.AsObject();
        MakeHeartbeat(beat);
        body["alerts"]!.AsArray().Add(beat);

        using var response = await app.PostWebhookAsync(body.ToJsonString());

        var ack = (await response.Content.ReadFromJsonAsync<WebhookAck>(Json.Options))!;
        Assert.Equal((2, 1, 0), (ack.Received, ack.Queued, ack.Duplicates));
        var restarted = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Equal("WhiskerBackendWedged", restarted.Alert!.Name);
        Assert.Single((await app.AuditAsync("?limit=500")).Items);
        Assert.Equal(DetectionView.Ok, (await DetectionAsync(app)).Status);
    }

    [Fact]
    public async Task AStaleHeartbeatWarnsOnceAndItsReturnIsNoted()
    {
        await using var app = await TestApp.StartAsync();
        (await app.PostWebhookAsync(FromAlertmanager())).EnsureSuccessStatusCode();

        await AdvanceThenWaitAsync(app, TimeSpan.FromMinutes(4), () => SelfEvents(app, HeartbeatMonitor.StaleReason).Count > 0, "stale Event");

        var detection = await DetectionAsync(app);
        Assert.Equal(DetectionView.Stale, detection.Status);
        Assert.True(detection.AgeSeconds > 180, $"{detection.AgeSeconds}");
        Assert.True(Value(await MetricsAsync(app), Age) > 180);
        var warning = Assert.Single(SelfEvents(app, HeartbeatMonitor.StaleReason));
        Assert.Equal("Warning", warning.Type);
        Assert.Contains("No detection heartbeat (AlertHealerDetectionHeartbeat) since", warning.Note);

        // Still stale ten minutes on: the silence was reported once.
        app.Time.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(500);
        Assert.Single(SelfEvents(app, HeartbeatMonitor.StaleReason));

        (await app.PostWebhookAsync(FromAlertmanager())).EnsureSuccessStatusCode();
        await AdvanceThenWaitAsync(app, TimeSpan.FromSeconds(30), () => SelfEvents(app, HeartbeatMonitor.RecoveredReason).Count > 0, "recovered Event");

        var recovered = Assert.Single(SelfEvents(app, HeartbeatMonitor.RecoveredReason));
        Assert.Equal("Normal", recovered.Type);
        Assert.Contains("from alertmanager, rule group alerthealer-heartbeat", recovered.Note);
        Assert.Equal(DetectionView.Ok, (await DetectionAsync(app)).Status);
        Assert.Single(SelfEvents(app, HeartbeatMonitor.StaleReason));
    }

    [Fact]
    public async Task NoHeartbeatEverIsReportedOnceTheLimitHasPassedSinceStart()
    {
        await using var app = await TestApp.StartAsync();

        app.Time.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(500);
        Assert.Empty(SelfEvents(app, HeartbeatMonitor.StaleReason));
        await AdvanceThenWaitAsync(app, TimeSpan.FromSeconds(90), () => SelfEvents(app, HeartbeatMonitor.StaleReason).Count > 0, "stale Event");

        var warning = Assert.Single(SelfEvents(app, HeartbeatMonitor.StaleReason));
        Assert.Contains("has ever arrived", warning.Note);
        Assert.Equal(DetectionView.Never, (await DetectionAsync(app)).Status);
    }

    [Fact]
    public async Task TheLimitIsASetting()
    {
        await using var app = await TestApp.StartAsync(s =>
        {
            s["AlertHealer:Heartbeat:ExpectedInterval"] = "00:05:00";
            s["AlertHealer:Heartbeat:StaleAfter"] = "00:20:00";
        });
        (await app.PostWebhookAsync(FromAlertmanager())).EnsureSuccessStatusCode();

        app.Time.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal(DetectionView.Ok, (await DetectionAsync(app)).Status);
        app.Time.Advance(TimeSpan.FromMinutes(2));

        var detection = await DetectionAsync(app);
        Assert.Equal((DetectionView.Stale, TimeSpan.FromMinutes(20)), (detection.Status, detection.StaleAfter));
        Assert.Equal(1200, Value(await MetricsAsync(app), Limit));
    }

    [Theory]
    [InlineData("ExpectedInterval", "00:00:00", "AlertHealer:Heartbeat:ExpectedInterval must be between")]
    [InlineData("StaleAfter", "00:00:30", "AlertHealer:Heartbeat:StaleAfter must be longer than AlertHealer:Heartbeat:ExpectedInterval")]
    [InlineData("AlertName", " ", "AlertHealer:Heartbeat:AlertName must name the heartbeat alert")]
    public void ABadHeartbeatSettingIsRefusedNamingItsKey(string key, string value, string message)
    {
        var options = new HeartbeatOptions();
        switch (key)
        {
            case "ExpectedInterval": options.ExpectedInterval = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "StaleAfter": options.StaleAfter = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.AlertName = value; break;
        }

        var result = new HeartbeatOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }
}
