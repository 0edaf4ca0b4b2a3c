using System.Net;
using System.Text.Json;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Webhooks;

public sealed class InvalidWebhookTests
{
    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { Fixtures.Edit(_ => { }, body: r => r["version"] = "3"), "version" },
        { Fixtures.Edit(_ => { }, body: r => r.Remove("version")), "version" },
        { Fixtures.Edit(_ => { }, body: r => r["status"] = "pending"), "status" },
        { Fixtures.Edit(_ => { }, body: r => r["alerts"] = new System.Text.Json.Nodes.JsonArray()), "alerts" },
        { Fixtures.Edit(_ => { }, body: r => r.Remove("alerts")), "alerts" },
        { Fixtures.Edit(a => a.Remove("status")), "alerts[0].status" },
        { Fixtures.Edit(a => a["status"] = "exploded"), "alerts[0].status" },
        { Fixtures.Edit(a => a["labels"]!.AsObject().Remove("alertname")), "alerts[0].labels.alertname" },
        { Fixtures.Edit(a => a.Remove("labels")), "alerts[0].labels" },
        { Fixtures.Edit(a => a.Remove("startsAt")), "alerts[0].startsAt" },
        { Fixtures.Edit(a => a["startsAt"] = "0001-01-01T00:00:00Z"), "alerts[0].startsAt" },
        { Fixtures.Edit(a => a.Remove("fingerprint")), "alerts[0].fingerprint" },
        { Fixtures.Edit(a => a["fingerprint"] = "not hex!"), "alerts[0].fingerprint" },
        { Fixtures.Edit(a => { a["status"] = "resolved"; a["endsAt"] = "2020-01-01T00:00:00Z"; }), "alerts[0].endsAt" },
        { Fixtures.Edit(a => a["startsAt"] = "yesterday"), "$.alerts[0].startsAt" },
        { Fixtures.Edit(a => a["labels"] = "alertname=x"), "$.alerts[0].labels" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public Task InvalidBodyIsRejectedNamingTheFieldAndNothingIsActedOn(string body, string field) =>
        WebhookAssert.RejectedNamingTheFieldAsync(body, field);

    [Fact]
    public async Task OneBadAlertRejectsTheWholeDeliverySoNothingIsHalfDone()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var body = Fixtures.Edit(_ => { }, copies: 2, body: r => r["alerts"]![1]!.AsObject().Remove("fingerprint"));

        using var response = await app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("alerts[1].fingerprint", await response.Content.ReadAsStringAsync());
        Assert.Empty((await app.AuditAsync()).Items);
        Assert.Empty(app.Kube.Deletes());
    }
}
