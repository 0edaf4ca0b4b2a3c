using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Remediation;

public sealed class BackoffTests
{
    private static async Task<TestApp> HealingClusterAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var app = (await TestApp.StartAsync(configure)).WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        return app;
    }

    private static async Task<string> IncidentAsync(TestApp app, string fingerprint)
    {
        await app.PostWebhookAsync(Fixtures.NewIncident(fingerprint, startsAt: app.Time.GetUtcNow()));
        return (await app.WaitForAuditAsync(e => e.Alert?.Fingerprint == fingerprint, fingerprint)).Outcome;
    }

    private static async Task<PolicyView> WhiskerAsync(TestApp app) =>
        (await app.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies.Single(p => p.Name == "whisker");

    [Fact]
    public async Task CooldownDoublesWithEachRestartAndThenNeedsAHuman()
    {
        await using var app = await HealingClusterAsync();

        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000a001"));
        Assert.Equal(TestApp.Start + TimeSpan.FromMinutes(10), (await WhiskerAsync(app)).CooldownUntil);
        app.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(Outcomes.Cooldown, await IncidentAsync(app, "000000000000a002"));
        app.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000a003"));
        Assert.Equal(TestApp.Start + TimeSpan.FromMinutes(30), (await WhiskerAsync(app)).CooldownUntil);
        app.Time.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal(Outcomes.Cooldown, await IncidentAsync(app, "000000000000a004"));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000a005"));
        Assert.Equal(TestApp.Start + TimeSpan.FromMinutes(70), (await WhiskerAsync(app)).CooldownUntil);
        app.Time.Advance(TimeSpan.FromMinutes(40));

        Assert.Equal(Outcomes.NeedsHuman, await IncidentAsync(app, "000000000000a006"));
        var state = await WhiskerAsync(app);
        Assert.True(state.NeedsHuman);
        Assert.Equal("needs-human", state.Status);
        Assert.Equal(3, app.Kube.Deletes().Count);
        app.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(Outcomes.NeedsHuman, await IncidentAsync(app, "000000000000a007"));
        Assert.Equal(3, app.Kube.Deletes().Count);
    }

    [Fact]
    public async Task OperatorResetResumesAutomaticRestarts()
    {
        await using var app = await HealingClusterAsync(s => s["AlertHealer:Policies:whisker:MaxAttempts"] = "1");
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000b001"));
        app.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(Outcomes.NeedsHuman, await IncidentAsync(app, "000000000000b002"));

        using var reset = await app.Operator.PostAsync("/policies/whisker/reset", null);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.False((await WhiskerAsync(app)).NeedsHuman);
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000b003"));
        Assert.Equal(2, app.Kube.Deletes().Count);
    }

    [Fact]
    public async Task ResolvedAlertClearsNeedsHuman()
    {
        await using var app = await HealingClusterAsync(s => s["AlertHealer:Policies:whisker:MaxAttempts"] = "1");
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000c001"));
        app.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(Outcomes.NeedsHuman, await IncidentAsync(app, "000000000000c002"));

        await app.PostWebhookAsync(Fixtures.Edit(a => { a["fingerprint"] = "000000000000c002"; a["status"] = "resolved"; a["endsAt"] = "2026-11-28T13:12:00Z"; a["labels"]!.AsObject().Remove("pod"); }));
        await app.WaitForOutcomeAsync(Outcomes.Resolved);

        Assert.False((await WhiskerAsync(app)).NeedsHuman);
    }

    [Fact]
    public async Task TheCountStartsAgainOnceTheTargetStayedHealthy()
    {
        await using var app = await HealingClusterAsync();
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000d001"));
        app.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000d002"));
        Assert.Equal(2, (await WhiskerAsync(app)).ConsecutiveRestarts);
        // The replacement is Ready before time jumps, or the jump would pass the verification deadline.
        await app.WaitForAuditAsync(e => e.Alert?.Fingerprint == "000000000000d002" && e.Verification == Verifications.Healed, "d002 healed");

        app.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000d003"));

        var state = await WhiskerAsync(app);
        Assert.Equal(1, state.ConsecutiveRestarts);
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromMinutes(10), state.CooldownUntil);
    }

    [Fact]
    public async Task BreakerOpensAfterTheHourlyBudgetAndAnOperatorOrTheWindowClosesIt()
    {
        await using var app = await HealingClusterAsync(s =>
        {
            s["AlertHealer:Breaker:MaxRemediations"] = "2";
            s["AlertHealer:Policies:whisker:Cooldown"] = "00:00:01";
            s["AlertHealer:Policies:whisker:MaxAttempts"] = "50";
        });
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000e001"));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000e002"));
        app.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Outcomes.BreakerOpen, await IncidentAsync(app, "000000000000e003"));
        Assert.True((await app.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Breaker.Open);

        using var close = await app.Operator.PostAsync("/breaker/close", null);
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000e004"));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000e005"));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(Outcomes.BreakerOpen, await IncidentAsync(app, "000000000000e006"));

        app.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(Outcomes.Restarted, await IncidentAsync(app, "000000000000e007"));
        Assert.Equal(5, app.Kube.Deletes().Count);
    }

    [Fact]
    public async Task PausedPolicySuppressesUntilResumedAndTheResendThenActs()
    {
        await using var app = await HealingClusterAsync();

        using var pause = await app.Operator.PostAsJsonAsync("/policies/whisker/pause", new { reason = "node maintenance" });
        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        await app.PostWebhookAsync(Fixtures.Firing);
        var suppressed = await app.WaitForOutcomeAsync(Outcomes.Paused);
        Assert.Contains("node maintenance", Assert.Single(suppressed.Steps, s => s.Name == "pause").Detail);
        Assert.Empty(app.Kube.Deletes());
        Assert.True((await WhiskerAsync(app)).Paused);

        using var resume = await app.Operator.PostAsync("/policies/whisker/resume", null);
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        // Both operator actions are in the audit log with who did them and why.
        var paused = Assert.Single((await app.AuditAsync("?outcome=policy-paused")).Items);
        Assert.Equal(new Actor("operator", "operator-token"), paused.Actor);
        Assert.Equal("node maintenance", paused.Reason);
        Assert.Single((await app.AuditAsync("?outcome=policy-resumed&trigger=manual")).Items);
        app.Time.Advance(TimeSpan.FromMinutes(5));
        await app.PostWebhookAsync(Fixtures.Firing);

        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Single(app.Kube.Deletes());
    }

    [Fact]
    public async Task PauseNeedsTheOperatorTokenAndAKnownPolicy()
    {
        await using var app = await HealingClusterAsync();

        using var asReader = await app.Reader.PostAsync("/policies/whisker/pause", null);
        using var unknown = await app.Operator.PostAsync("/policies/nope/pause", null);

        Assert.Equal(HttpStatusCode.Forbidden, asReader.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.False((await WhiskerAsync(app)).Paused);
    }
}
