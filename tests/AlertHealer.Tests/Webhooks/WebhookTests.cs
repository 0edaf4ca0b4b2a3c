using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Webhooks;

namespace AlertHealer.Tests.Webhooks;

public sealed class WebhookTests
{
    [Fact]
    public async Task FiringWedgeAlertDeletesTheWhiskerPodOnceAndRecordsRestarted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var whiskerUid = app.Kube.Pods("calico-system").Single(p => p.Metadata.Name == Fixtures.WedgedPod).Metadata.Uid;

        using var response = await app.PostWebhookAsync(Fixtures.Firing);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ack = await response.Content.ReadFromJsonAsync<WebhookAck>(Json.Options);
        Assert.Equal(1, ack!.Queued);
        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        var delete = Assert.Single(app.Kube.Deletes());
        Assert.Equal("calico-system", delete.Namespace);
        Assert.Equal(Fixtures.WedgedPod, delete.Name);
        Assert.Contains(whiskerUid, delete.Body);
        Assert.Equal(Triggers.Webhook, entry.Trigger);
        Assert.Equal("whisker", entry.Policy);
        Assert.Equal("WhiskerBackendWedged", entry.Alert!.Name);
        Assert.Equal("fdf329a875a40fd2", entry.Alert.Fingerprint);
        Assert.Equal(Fixtures.WedgedPod, entry.Action!.Pod);
        Assert.Equal(whiskerUid, entry.Action.Uid);
        var guard = Assert.Single(entry.Steps, s => s.Name == "dependency");
        Assert.Equal("ready", guard.Result);
        Assert.Equal("goldmane-7d9f8b6c5-q4wzt", Assert.Single(guard.Pods!).Name);
    }

    [Fact]
    public async Task GoldmaneNotReadyMeansNoDelete()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(goldmaneReady: false);

        using var response = await app.PostWebhookAsync(Fixtures.Firing);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = await app.WaitForOutcomeAsync(Outcomes.DependencyNotReady);
        Assert.Empty(app.Kube.Deletes());
        var guard = Assert.Single(entry.Steps, s => s.Name == "dependency");
        Assert.False(Assert.Single(guard.Pods!).Ready);
    }

    [Fact]
    public async Task NoGoldmanePodMeansNoDelete()
    {
        await using var app = await TestApp.StartAsync();
        app.Kube.AddPod("calico-system", Fixtures.WedgedPod, new Dictionary<string, string> { ["k8s-app"] = "whisker" }, true);

        await app.PostWebhookAsync(Fixtures.Firing);

        var entry = await app.WaitForOutcomeAsync(Outcomes.DependencyNotReady);
        Assert.Contains("no pod matches k8s-app=goldmane", Assert.Single(entry.Steps, s => s.Name == "dependency").Detail);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task NoWhiskerPodIsRecordedAsNoTarget()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(whisker: false);

        await app.PostWebhookAsync(Fixtures.NewIncident("0a1b2c3d4e5f6a7b"));

        await app.WaitForOutcomeAsync(Outcomes.NoTarget);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task ResolvedAlertIsRecordedAndNeverActedOn()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Fixtures.Resolved);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = await app.WaitForOutcomeAsync(Outcomes.Resolved);
        Assert.Equal("resolved", entry.Alert!.Status);
        Assert.Null(entry.Action);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task UnknownAlertIsIgnoredWithoutTouchingTheCluster()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        await app.PostWebhookAsync(Fixtures.Edit(a => a["labels"]!["alertname"] = "SomethingElse"));

        var entry = await app.WaitForOutcomeAsync(Outcomes.IgnoredNoPolicy);
        Assert.Null(entry.Policy);
        Assert.Equal("SomethingElse", entry.Alert!.Name);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Resource == "pods");
    }

    [Fact]
    public async Task EachAlertInAGroupIsDecidedByItsOwnStatus()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var body = Fixtures.Edit(a => { }, copies: 2, body: root =>
        {
            // The group says firing, but the second alert has resolved.
            var second = root["alerts"]![1]!;
            second["status"] = "resolved";
            second["endsAt"] = "2026-11-28T12:55:00Z";
            second["fingerprint"] = "1111111111111111";
        });

        await app.PostWebhookAsync(body);

        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        var resolved = await app.WaitForOutcomeAsync(Outcomes.Resolved);
        Assert.Equal("1111111111111111", resolved.Alert!.Fingerprint);
        Assert.Single(app.Kube.Deletes());
    }

    [Fact]
    public async Task GlobalDryRunDecidesButDeletesNothing()
    {
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:DryRun"] = "true")).WithCalicoSystem();

        await app.PostWebhookAsync(Fixtures.Firing);

        var entry = await app.WaitForOutcomeAsync(Outcomes.DryRun);
        Assert.True(entry.DryRun);
        Assert.Equal(Fixtures.WedgedPod, entry.Action!.Pod);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task UnknownFieldsFromNewerAlertmanagersAreAccepted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var body = Fixtures.Edit(a => a["someFutureField"] = "x", body: root =>
        {
            root["notification_reason"] = "new_alerts";
            root["routeLabels"] = new System.Text.Json.Nodes.JsonObject { ["remediation"] = "alerthealer" };
        });

        using var response = await app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
    }
}
