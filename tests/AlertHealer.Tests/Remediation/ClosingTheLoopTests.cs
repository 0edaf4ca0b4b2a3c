using System.Net;
using System.Text.Json.Nodes;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Remediation;

// The healer with Loki (signal re-check) and Alertmanager (escalation) configured, over
// real HTTP to fakes that answer in the real shapes.
public sealed class ClosingTheLoopTests : IAsyncLifetime
{
    private const string Query =
        "sum(count_over_time({namespace=\"$namespace\", pod=\"$pod\", container=\"whisker-backend\"} |~ \"(?i)failed to stream flows\" [11m]))";

    private FakeLoki _loki = null!;
    private FakeAlertmanager _alertmanager = null!;

    public async Task InitializeAsync()
    {
        _loki = await FakeLoki.StartAsync();
        _alertmanager = await FakeAlertmanager.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _loki.DisposeAsync();
        await _alertmanager.DisposeAsync();
    }

    private async Task<TestApp> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var app = (await TestApp.StartAsync(s =>
        {
            s["AlertHealer:Loki:BaseUrl"] = _loki.BaseUrl.ToString();
            s["AlertHealer:Loki:TenantId"] = "fake";
            s["AlertHealer:Loki:Retries"] = "0";
            s["AlertHealer:Alertmanager:BaseUrl"] = _alertmanager.BaseUrl.ToString();
            s["AlertHealer:Alertmanager:Retries"] = "0";
            s["AlertHealer:Policies:whisker:Signal:Query"] = Query;
            s["AlertHealer:Policies:whisker:Signal:Threshold"] = "10";
            configure?.Invoke(s);
        })).WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        return app;
    }

    private IEnumerable<Dictionary<string, string>> Escalations() =>
        _alertmanager.AlertPosts.SelectMany(p => FakeAlertmanager.Alerts(p)).Select(a => FakeAlertmanager.Labels(a!));

    [Fact]
    public async Task SignalAlreadyGoneMeansNoRestart()
    {
        _loki.AnswerVector(3);
        await using var app = await StartAsync();

        await app.PostWebhookAsync(Fixtures.Firing);

        var entry = await app.WaitForOutcomeAsync(Outcomes.SignalCleared);
        Assert.Empty(app.Kube.Deletes());
        var query = Assert.Single(_loki.Queries);
        Assert.Contains("pod=\"whisker-5b8d6c7f9-x2kqp\"", query.Query["query"]);
        Assert.Equal("fake", query.Header("X-Scope-OrgID"));
        Assert.Contains("below threshold 10", Assert.Single(entry.Steps, s => s.Name == "signal").Detail);
    }

    [Fact]
    public async Task SignalStillPresentRestarts()
    {
        _loki.AnswerVector(14);
        await using var app = await StartAsync();

        await app.PostWebhookAsync(Fixtures.Firing);

        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Equal("present", Assert.Single(entry.Steps, s => s.Name == "signal").Result);
        Assert.Single(app.Kube.Deletes());
    }

    [Fact]
    public async Task LokiDownFailsOpenByDefaultAndSaysSo()
    {
        _loki.FailNext(1);
        await using var app = await StartAsync();

        await app.PostWebhookAsync(Fixtures.Firing);

        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        var step = Assert.Single(entry.Steps, s => s.Name == "signal");
        Assert.Equal("unavailable", step.Result);
        Assert.Contains("FailOpen", step.Detail);
    }

    [Fact]
    public async Task LokiDownWithFailOpenOffSkips()
    {
        _loki.FailNext(1);
        await using var app = await StartAsync(s => s["AlertHealer:Policies:whisker:Signal:FailOpen"] = "false");

        await app.PostWebhookAsync(Fixtures.Firing);

        await app.WaitForOutcomeAsync(Outcomes.SignalUnavailable);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task SignalGoneFromTheNewPodIsVerified()
    {
        _loki.AnswerVector(14);
        await using var app = await StartAsync(s => s["AlertHealer:Policies:whisker:Signal:VerifyAfter"] = "00:05:00");
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);

        _loki.AnswerVector(0);
        var entry = await app.AdvanceUntilAsync(e => e.Verification == Verifications.Verified, TimeSpan.FromMinutes(1), 30, "verified");

        var newPod = app.Kube.Pods("calico-system").Single(p => p.Metadata.Labels["k8s-app"] == "whisker").Metadata.Name;
        Assert.Contains($"pod=\"{newPod}\"", _loki.Queries[^1].Query["query"]);
        Assert.Contains("below 10", entry.VerificationDetail);
        Assert.DoesNotContain(Escalations(), l => l["alertname"] == "AlertHealerEscalation" && l["reason"] != "needs-human");
    }

    [Fact]
    public async Task SignalStillThereAfterTheRestartIsIneffectiveAndPagesAPerson()
    {
        _loki.AnswerVector(14);
        await using var app = await StartAsync(s => s["AlertHealer:Policies:whisker:Signal:VerifyAfter"] = "00:05:00");
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);

        var entry = await app.AdvanceUntilAsync(e => e.Verification == Verifications.Ineffective, TimeSpan.FromMinutes(1), 30, "ineffective");

        Assert.Contains("at or above 10", entry.VerificationDetail);
        await _alertmanager.WaitForRequestsAsync(1);
        // The refresher may re-post the open page; each post carries the same labels.
        var page = Escalations().First(l => l["reason"] == "restart-ineffective");
        Assert.Equal("AlertHealerEscalation", page["alertname"]);
        Assert.Equal("whisker", page["policy"]);
        Assert.False(page.ContainsKey("remediation"));
    }

    [Fact]
    public async Task NeedsHumanPagesAPersonAndTheResetEndsThePage()
    {
        _loki.AnswerVector(14);
        await using var app = await StartAsync(s =>
        {
            s["AlertHealer:Policies:whisker:MaxAttempts"] = "1";
            // Only the gate escalates here; the post-restart re-check would race it.
            s["AlertHealer:Policies:whisker:Signal:VerifyAfter"] = "01:00:00";
        });
        await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000e1"));
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        app.Time.Advance(TimeSpan.FromMinutes(11));
        await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000e2"));
        await app.WaitForOutcomeAsync(Outcomes.NeedsHuman);
        await _alertmanager.WaitForRequestsAsync(1);
        Assert.Single(Escalations(), l => l["reason"] == "needs-human");

        using var reset = await app.Operator.PostAsync("/policies/whisker/reset", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        var ended = _alertmanager.AlertPosts.SelectMany(p => FakeAlertmanager.Alerts(p))
            .Where(a => FakeAlertmanager.Labels(a!)["reason"] == "needs-human")
            .Select(a => DateTimeOffset.Parse(a!["endsAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(2, ended.Count);
        Assert.True(ended[1] <= app.Time.GetUtcNow(), $"the page should end now, endsAt {ended[1]:O}");
    }

    [Fact]
    public async Task StaleAlertOfTheDeletedPodIsSilencedWhenAsked()
    {
        _loki.AnswerVector(14);
        await using var app = await StartAsync(s => s["AlertHealer:Alertmanager:SilenceStaleAlerts"] = "true");

        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);

        var silence = JsonNode.Parse((await _alertmanager.WaitForRequestsAsync(1)).Single(r => r.Path.EndsWith(FakeAlertmanager.SilencesPath, StringComparison.Ordinal)).Body)!;
        var matchers = silence["matchers"]!.AsArray().ToDictionary(m => m!["name"]!.GetValue<string>(), m => m!["value"]!.GetValue<string>());
        Assert.Equal(Fixtures.WedgedPod, matchers["pod"]);
        Assert.Equal("WhiskerBackendWedged", matchers["alertname"]);
        Assert.Equal("calico-system", matchers["namespace"]);
        Assert.Equal(TestApp.Start + TimeSpan.FromMinutes(11),
            DateTimeOffset.Parse(silence["endsAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
