using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Metrics;

public sealed class MetricsTests
{
    private static async Task<string> ScrapeAsync(TestApp app)
    {
        using var response = await app.Anonymous.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task MetricsDescribeWhatTheHealerDid()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForAuditAsync(e => e.Verification == Verifications.Healed, "healed");
        await app.PostWebhookAsync(Fixtures.Edit(a => { a["fingerprint"] = "00000000000000aa"; a["labels"]!["alertname"] = "Other"; }));
        await app.WaitForOutcomeAsync(Outcomes.IgnoredNoPolicy);

        var text = await ScrapeAsync(app);

        Assert.Contains("alerthealer_alerts_received_total{status=\"firing\",outcome=\"queued\"} 2", text);
        Assert.Contains("alerthealer_alerts_received_total{status=\"firing\",outcome=\"duplicate\"} 1", text);
        Assert.Contains("alerthealer_remediations_total{policy=\"whisker\",outcome=\"restarted\",verification=\"healed\"} 1", text);
        Assert.Contains("alerthealer_remediations_total{policy=\"\",outcome=\"ignored-no-policy\",verification=\"none\"} 1", text);
        Assert.Contains("alerthealer_inbox_depth 0", text);
        Assert.Contains("alerthealer_breaker_open 0", text);
        Assert.Contains("alerthealer_policy_needs_human{policy=\"whisker\"} 0", text);
        Assert.Contains("alerthealer_policy_cooldown_seconds{policy=\"whisker\"} 600", text);
        Assert.Contains("alerthealer_dependency_call_duration_seconds_count{dependency=\"kubernetes\",operation=\"delete-pod\"} 1", text);
        Assert.Contains("alerthealer_webhook_duration_seconds_count 3", text);
    }

    [Fact]
    public async Task FailureSeriesExistAtZeroBeforeTheFirstFailure()
    {
        await using var app = await TestApp.StartAsync();

        var text = await ScrapeAsync(app);

        Assert.Contains("alerthealer_remediations_total{policy=\"whisker\",outcome=\"failed\",verification=\"none\"} 0", text);
        Assert.Contains("alerthealer_remediations_total{policy=\"whisker\",outcome=\"restarted\",verification=\"not-healed\"} 0", text);
        Assert.Contains("alerthealer_dependency_errors_total{dependency=\"kubernetes\",operation=\"delete-pod\"} 0", text);
    }

    [Fact]
    public async Task GuardSkipsAreCountedByReason()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(goldmaneReady: false);
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.DependencyNotReady);

        var text = await ScrapeAsync(app);

        Assert.Contains("alerthealer_guard_skips_total{policy=\"whisker\",reason=\"skipped-dependency-not-ready\"} 1", text);
    }
}
