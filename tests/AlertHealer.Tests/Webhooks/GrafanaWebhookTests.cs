using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Webhooks;

namespace AlertHealer.Tests.Webhooks;

// Grafana Alerting's webhook contact point posts to the same endpoint as Alertmanager. The
// fixtures are shaped as grafana/alerting's webhook notifier marshals them (version "1").
public sealed class GrafanaWebhookTests
{
    private const string Fingerprint = "a9f8e3c1b0d24e57";

    private static string Firing => File.ReadAllText(Fixtures.Path("grafana", "firing.json"));

    private static string Resolved => File.ReadAllText(Fixtures.Path("grafana", "resolved.json"));

    private static string Edit(Action<JsonObject> body, string? json = null)
    {
        var root = JsonNode.Parse(json ?? Firing)!.AsObject();
        body(root);
        return root.ToJsonString();
    }

    private static JsonObject Alert(JsonObject root) => root["alerts"]![0]!.AsObject();

    [Fact]
    public async Task FiringGrafanaAlertDeletesTheWhiskerPodOnceAndRecordsRestarted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var whiskerUid = app.Kube.Pods("calico-system").Single(p => p.Metadata.Name == Fixtures.WedgedPod).Metadata.Uid;

        using var response = await app.PostWebhookAsync(Firing);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ack = await response.Content.ReadFromJsonAsync<WebhookAck>(Json.Options);
        Assert.Equal((1, 1, 0), (ack!.Received, ack.Queued, ack.Duplicates));
        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        var delete = Assert.Single(app.Kube.Deletes());
        Assert.Equal(("calico-system", Fixtures.WedgedPod), (delete.Namespace, delete.Name));
        Assert.Contains(whiskerUid, delete.Body);
        Assert.Equal("whisker", entry.Policy);
        Assert.Equal("WhiskerBackendWedged", entry.Alert!.Name);
        Assert.Equal(Fingerprint, entry.Alert.Fingerprint);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 49, 0, TimeSpan.Zero), entry.Alert.StartsAt);
        Assert.Equal("AlertHealer", entry.Alert.Labels["grafana_folder"]);
        Assert.Equal(whiskerUid, entry.Action!.Uid);
    }

    [Fact]
    public async Task ResolvedGrafanaAlertIsRecordedAndNeverActedOn()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Resolved);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = await app.WaitForOutcomeAsync(Outcomes.Resolved);
        Assert.Equal(("resolved", Fingerprint), (entry.Alert!.Status, entry.Alert.Fingerprint));
        Assert.Null(entry.Action);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task ResentGrafanaAlertIsADuplicateOfTheFirstDelivery()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        await app.PostWebhookAsync(Firing);
        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);

        // Grafana re-notifies the same alert instance: same fingerprint, same startsAt, new values.
        app.Time.Advance(TimeSpan.FromMinutes(5));
        using var again = await app.PostWebhookAsync(Edit(r => Alert(r)["values"] = new JsonObject { ["A"] = 22, ["C"] = 1 }));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var ack = await again.Content.ReadFromJsonAsync<WebhookAck>(Json.Options);
        Assert.Equal("duplicate", Assert.Single(ack!.Alerts).Disposition);
        await app.DrainAsync();
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
        Assert.Equal(1, (await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{entry.Id}", Json.Options))!.Duplicates);
    }

    [Fact]
    public async Task GrafanasOptionalAndNullFieldsAreAccepted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        // No values (Go marshals a nil map as null), an image, a custom title and message.
        var body = Edit(r =>
        {
            var alert = Alert(r);
            alert["values"] = null;
            alert["imageURL"] = "https://grafana.example.invalid/public/img/attachments/abc.png";
            alert["dashboardURL"] = "http://grafana.monitoring.svc:3000/d/whisker?orgId=1";
            alert["panelURL"] = "http://grafana.monitoring.svc:3000/d/whisker?orgId=1&viewPanel=2";
            r["title"] = "";
            r["message"] = "custom\nmessage";
        });

        using var response = await app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
    }

    public static TheoryData<string, string> InvalidGrafanaBodies() => new()
    {
        { Edit(r => r.Remove("orgId")), "orgId" },
        { Edit(r => r["orgId"] = 0), "orgId" },
        { Edit(r => r.Remove("state")), "state" },
        { Edit(r => r["state"] = "pending"), "state" },
        // The group fires but says it is fine: not a body Grafana sends.
        { Edit(r => r["state"] = "ok"), "state" },
        { Edit(r => r["state"] = "alerting", Resolved), "state" },
        { Edit(r => r["version"] = "2"), "version" },
        { Edit(r => r["orgId"] = "one"), "$.orgId" },
        { Edit(r => Alert(r).Remove("fingerprint")), "alerts[0].fingerprint" },
        { Edit(r => Alert(r)["fingerprint"] = "WhiskerBackendWedged"), "alerts[0].fingerprint" },
        { Edit(r => Alert(r).Remove("startsAt")), "alerts[0].startsAt" },
        { Edit(r => Alert(r)["status"] = "alerting"), "alerts[0].status" },
        { Edit(r => Alert(r)["labels"]!.AsObject().Remove("alertname")), "alerts[0].labels.alertname" },
    };

    [Theory]
    [MemberData(nameof(InvalidGrafanaBodies))]
    public Task InvalidGrafanaBodyIsRejectedNamingTheFieldAndNothingIsActedOn(string body, string field) =>
        WebhookAssert.RejectedNamingTheFieldAsync(body, field);

    [Fact]
    public async Task AnAlertmanagerBodyNeedsNeitherOrgIdNorState()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Fixtures.Firing);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
    }
}
