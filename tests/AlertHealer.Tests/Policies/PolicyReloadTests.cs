using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using static AlertHealer.Tests.Policies.ConfigMapVolume;

namespace AlertHealer.Tests.Policies;

public sealed class PolicyReloadTests
{
    private const string Successful = "alerthealer_config_last_reload_successful";
    private const string SuccessTimestamp = "alerthealer_config_last_reload_success_timestamp_seconds";

    private static async Task<(TestApp App, ConfigMapVolume Volume)> StartAsync(string policies, CapturedLogs? logs = null,
        Action<Dictionary<string, string?>>? configure = null)
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-test-").FullName;
        var volume = new ConfigMapVolume(directory, policies);
        var app = (await TestApp.StartAsync(PolicyReloadHarness.UsingFile(volume, configure), directory, logs: logs)).WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        return (app, volume);
    }

    private static async Task<AuditEntry> IncidentAsync(TestApp app, string fingerprint)
    {
        await app.PostWebhookAsync(Fixtures.NewIncident(fingerprint, startsAt: app.Time.GetUtcNow()));
        return await app.WaitForAuditAsync(e => e.Alert?.Fingerprint == fingerprint, fingerprint);
    }

    [Fact]
    public async Task GoodPolicyFileIsAppliedWithoutARestart()
    {
        var (app, volume) = await StartAsync(FileOf(("whisker", Whisker(p => p["Mode"] = "DryRun"))));
        await using var _ = app;
        var before = await app.PoliciesAsync();
        Assert.Equal(volume.FilePath, before.Config.Source);
        Assert.Equal("DryRun", Assert.Single(before.Policies).Mode);
        Assert.Equal(Outcomes.DryRun, (await IncidentAsync(app, "00000000000d0001")).Outcome);

        volume.Update(FileOf(("whisker", Whisker()), ("goldmane", Other())));
        var after = await app.ReloadAsync(v => v.Config.Hash != before.Config.Hash);

        Assert.Equal(["goldmane", "whisker"], after.Policies.Select(p => p.Name));
        Assert.Equal("Enforce", after.Policies.Single(p => p.Name == "whisker").Mode);
        Assert.True(after.Config.LastReloadSuccessful);
        Assert.Equal(TestApp.Start + PolicyReloadHarness.PollInterval, after.Config.LoadedAt);
        Assert.Equal(1, await app.MetricAsync(Successful));
        Assert.Equal((TestApp.Start + PolicyReloadHarness.PollInterval).ToUnixTimeSeconds(), await app.MetricAsync(SuccessTimestamp));
        Assert.Contains("alerthealer_policy_paused{policy=\"goldmane\"} 0", await app.Anonymous.GetStringAsync("/metrics"));
        Assert.Equal(Outcomes.Restarted, (await IncidentAsync(app, "00000000000d0002")).Outcome);
        Assert.Single(app.Kube.Deletes());
    }

    public static TheoryData<string, string> RefusedFiles => new()
    {
        { """{"AlertHealer":{"DryRun":true,"Policies":{"whisker":{"Match":{"alertname":"WhiskerBackendWedged"}}}}}""", "sets AlertHealer:DryRun; a policy file holds only AlertHealer:Policies" },
        { FileOf(("whisker", Whisker(p => p["MaxAttempts"] = 0))), "AlertHealer:Policies:whisker:MaxAttempts must be between 1 and 100" },
        { FileOf(("whisker", Whisker(p => p["Target"]!["Selector"] = "k8s-app in (whisker"))), "AlertHealer:Policies:whisker:Target:Selector" },
        { FileOf(), "AlertHealer:Policies must define at least one policy" },
        // The binder would drop a policy whose value does not convert; the strict check names it.
        { FileOf(("whisker", Whisker(p => p["MaxAttempts"] = "three"))), "AlertHealer:Policies:whisker:MaxAttempts: 'three' is not a whole number" },
        { FileOf(("whisker", Whisker(p => p["Cooldwon"] = "00:00:01"))), "AlertHealer:Policies:whisker:Cooldwon is not a setting; did you mean AlertHealer:Policies:whisker:Cooldown?" },
        { """{"AlertHealer":{"Policies":{"whisker":""", "is not a JSON settings file" },
    };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public async Task RefusedPolicyFileKeepsTheRunningPoliciesAndSaysWhy(string file, string expected)
    {
        var logs = new CapturedLogs();
        var (app, volume) = await StartAsync(FileOf(("whisker", Whisker())), logs);
        await using var _ = app;
        var before = await app.PoliciesAsync();

        volume.Update(file);
        var after = await app.ReloadAsync(v => !v.Config.LastReloadSuccessful);

        Assert.Contains(expected, after.Config.LastError);
        Assert.Equal(before.Config.Hash, after.Config.Hash);
        Assert.Equal(before.Config.LoadedAt, after.Config.LoadedAt);
        Assert.Equal(TestApp.Start + PolicyReloadHarness.PollInterval, after.Config.LastReloadAt);
        Assert.Equal(0, await app.MetricAsync(Successful));
        Assert.Equal(TestApp.Start.ToUnixTimeSeconds(), await app.MetricAsync(SuccessTimestamp));
        Assert.Contains(logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        Assert.Contains(app.Kube.Events(""), e => e.Reason == "PolicyReloadFailed" && e.Note.Contains(expected, StringComparison.Ordinal));
        // The running policy still heals.
        Assert.Equal(Outcomes.Restarted, (await IncidentAsync(app, "00000000000e0001")).Outcome);
        Assert.Single(app.Kube.Deletes());

        // A corrected file is applied.
        volume.Update(FileOf(("whisker", Whisker(p => p["MaxAttempts"] = 4))));
        var fixedView = await app.ReloadAsync(v => v.Config.LastReloadSuccessful);
        Assert.Equal(4, Assert.Single(fixedView.Policies).MaxAttempts);
        Assert.Null(fixedView.Config.LastError);
        Assert.Equal(1, await app.MetricAsync(Successful));
    }

    [Fact]
    public async Task StateIsKeptAcrossAReloadForAPolicyWhoseNameIsUnchanged()
    {
        var (app, volume) = await StartAsync(FileOf(("whisker", Whisker())));
        await using var _ = app;
        Assert.Equal(Outcomes.Restarted, (await IncidentAsync(app, "00000000000f0001")).Outcome);
        using var pause = await app.Operator.PostAsJsonAsync("/policies/whisker/pause", new { reason = "looking at goldmane" });
        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        var before = (await app.PoliciesAsync()).Policies.Single();

        volume.Update(FileOf(("whisker", Whisker(p => { p["Cooldown"] = "00:20:00"; p["MaxAttempts"] = 5; }))));
        var after = (await app.ReloadAsync(v => v.Policies.Single().MaxAttempts == 5)).Policies.Single();

        Assert.True(after.Paused);
        Assert.Equal("looking at goldmane", after.PauseReason);
        Assert.Equal(1, after.ConsecutiveRestarts);
        Assert.Equal(before.LastRestartAt, after.LastRestartAt);
        Assert.Equal(before.CooldownUntil, after.CooldownUntil);
        Assert.Equal(Outcomes.Paused, (await IncidentAsync(app, "00000000000f0002")).Outcome);
        using var resume = await app.Operator.PostAsJsonAsync("/policies/whisker/resume", new { reason = "done" });
        Assert.Equal(Outcomes.Cooldown, (await IncidentAsync(app, "00000000000f0003")).Outcome);
        Assert.Single(app.Kube.Deletes());
    }

    [Fact]
    public async Task ReloadDuringAnIncidentNeitherLosesItNorActsTwice()
    {
        // The held DELETE must not time out while the clock moves to the next poll.
        var (app, volume) = await StartAsync(FileOf(("whisker", Whisker())), configure: s => s["AlertHealer:Kubernetes:CallTimeout"] = "00:05:00");
        await using var _ = app;
        var deleting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Kube.BeforeRequest = async request =>
        {
            if (request.Verb != "delete") return;
            deleting.TrySetResult();
            await release.Task;
        };

        await app.PostWebhookAsync(Fixtures.NewIncident("0000000000010001", startsAt: app.Time.GetUtcNow()));
        await deleting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        volume.Update(FileOf(("whisker", Whisker(p => p["Cooldown"] = "00:30:00")), ("goldmane", Other())));
        await app.ReloadAsync(v => v.Policies.Count == 2);
        release.SetResult();

        // The decision in flight finishes with the policy it started with (a 10-minute cooldown).
        var restarted = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Equal(restarted.Time + TimeSpan.FromMinutes(10), (await app.PoliciesAsync()).Policies.Single(p => p.Name == "whisker").CooldownUntil);
        // Alertmanager sends the same alert again, and a new incident starts: neither acts.
        await app.PostWebhookAsync(Fixtures.NewIncident("0000000000010001", startsAt: TestApp.Start));
        Assert.Equal(Outcomes.Cooldown, (await IncidentAsync(app, "0000000000010002")).Outcome);
        await app.DrainAsync();
        var healed = await app.AdvanceUntilAsync(e => e.Id == restarted.Id && e.Verification == Verifications.Healed, TimeSpan.FromSeconds(5), 40, "healed");
        Assert.Equal(Verifications.Healed, healed.Verification);
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync("?limit=500")).Items, e => e.Outcome == Outcomes.Restarted);
    }

    [Fact]
    public async Task AlertOfARemovedPolicyIsDecidedWithTheReason()
    {
        var (app, volume) = await StartAsync(FileOf(("whisker", Whisker()), ("goldmane", Other())));
        await using var _ = app;

        volume.Update(FileOf(("goldmane", Other())));
        var after = await app.ReloadAsync(v => v.Policies.Count == 1);

        Assert.Equal("goldmane", after.Policies.Single().Name);
        var ignored = await IncidentAsync(app, "0000000000020001");
        Assert.Equal(Outcomes.IgnoredNoPolicy, ignored.Outcome);
        Assert.Contains($"policy whisker, which matched it, was removed by the policy reload at {TestApp.Start + PolicyReloadHarness.PollInterval:O}",
            Assert.Single(ignored.Steps, s => s.Name == "policy").Detail);
        Assert.DoesNotContain("policy=\"whisker\"", (await app.Anonymous.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("alerthealer_policy_", StringComparison.Ordinal)));
        using var remediate = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "by hand" });
        Assert.Equal(HttpStatusCode.NotFound, remediate.StatusCode);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task PolicyFileReplacesTheShippedPoliciesAndOtherSourcesStillOverrideItKeyByKey()
    {
        var (app, _) = await StartAsync(FileOf(("goldmane", Other())),
            configure: s => s["AlertHealer:Policies:goldmane:Mode"] = "DryRun");
        await using var __ = app;

        var view = await app.PoliciesAsync();

        // The shipped whisker policy of appsettings.json is not merged in.
        var goldmane = Assert.Single(view.Policies);
        Assert.Equal("goldmane", goldmane.Name);
        Assert.Equal("DryRun", goldmane.Mode);
        Assert.Equal(Outcomes.IgnoredNoPolicy, (await IncidentAsync(app, "0000000000030001")).Outcome);
    }

    [Theory]
    [InlineData("""{"AlertHealer":{"Policies":{"whisker":{"Match":{"alertname":"WhiskerBackendWedged"},"Target":{"Namespace":"calico-system","Selector":"k8s-app=whisker"},"MaxAttempts":0}}}}""",
        "AlertHealer:Policies:whisker:MaxAttempts must be between 1 and 100")]
    [InlineData("""{"AlertHealer":{"Loki":{"BaseUrl":"http://loki"},"Policies":{}}}""", "sets AlertHealer:Loki:BaseUrl; a policy file holds only AlertHealer:Policies")]
    [InlineData(null, "AlertHealer:PolicyFile: cannot read")]
    public async Task BadPolicyFileAtStartRefusesToStartNamingTheKey(string? file, string expected)
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-test-").FullName;
        var path = Path.Combine(directory, "policies.json");
        if (file is not null) await File.WriteAllTextAsync(path, file);
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__PolicyFile"] = path;

        var exit = await AppProcess.RunToExitAsync(settings);

        Assert.Equal(1, exit.ExitCode);
        var refusal = Assert.Single(exit.StandardError.Split('\n'), l => l.StartsWith("AlertHealer cannot start: ", StringComparison.Ordinal));
        Assert.Contains(expected, refusal);
        Assert.DoesNotContain("   at ", exit.Output);
    }

    [Fact]
    public async Task TheDeployedPolicyFileStartsTheServiceWithTheWhiskerPolicy()
    {
        var (app, _) = await StartAsync(Deploy.PolicyFileDeployTests.BaseFile.ToJsonString());
        await using var __ = app;

        var view = await app.PoliciesAsync();

        Assert.Equal("whisker", Assert.Single(view.Policies).Name);
        Assert.Equal(Outcomes.Restarted, (await IncidentAsync(app, "0000000000040001")).Outcome);
    }
}
