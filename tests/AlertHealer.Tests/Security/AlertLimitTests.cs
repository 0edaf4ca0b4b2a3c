using System.Net;
using System.Text;
using System.Text.Json;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

public sealed class AlertLimitTests
{
    public static TheoryData<string, string> Refused() => new()
    {
        { Fixtures.Edit(a => a["labels"]!["pod"] = null), "alerts[0].labels.pod" },
        { Fixtures.Edit(a => a["labels"]!["pod"] = new string('v', 1025)), "alerts[0].labels.pod" },
        { Fixtures.Edit(a => a["labels"]!["pod"] = "whisker\u202E"), "alerts[0].labels.pod" },
        { Fixtures.Edit(a => a["labels"]!["bad\u0007name"] = "x"), "alerts[0].labels" },
        { Fixtures.Edit(a => { for (var i = 0; i < 60; i++) a["labels"]![$"l{i}"] = "x"; }), "alerts[0].labels" },
        { Fixtures.Edit(a => a["annotations"]!["summary"] = null), "alerts[0].annotations.summary" },
        { Fixtures.Edit(a => a["annotations"]!["summary"] = new string('s', 9000)), "alerts[0].annotations.summary" },
        { Fixtures.Edit(_ => { }, copies: 2, body: r => r["alerts"]![1]!["labels"]!["pod"] = "\u0000"), "alerts[1].labels.pod" },
        { Fixtures.Edit(_ => { }, body: r => r["groupLabels"]!["pod"] = null), "groupLabels.pod" },
        { Fixtures.Edit(_ => { }, body: r => r["commonAnnotations"]!["summary"] = null), "commonAnnotations.summary" },
        { Fixtures.Edit(a => a["startsAt"] = "9999-12-31T23:59:59Z"), "alerts[0].startsAt" },
        { Fixtures.Edit(a => a["startsAt"] = "1970-01-01T00:00:00Z"), "alerts[0].startsAt" },
        { Fixtures.Edit(a => { a["status"] = "resolved"; a["endsAt"] = "9999-12-31T23:59:59Z"; }), "alerts[0].endsAt" },
        { Fixtures.Edit(_ => { }, copies: 201), "alerts" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task OutOfBoundsAlertIsRefusedNamingTheEntry(string body, string field)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(body);

        var problem = await EdgeAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"expected an error for '{field}' in {errors}");
        Assert.Empty(app.Kube.Deletes());
    }

    // Prometheus 3 allows UTF-8 label names; refusing them would lose real deliveries.
    [Fact]
    public async Task Utf8LabelNamesAreAccepted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Fixtures.Edit(a =>
        {
            a["labels"]!["k8s-app"] = "whisker";
            a["labels"]!["service.name"] = "whisker-backend";
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task BadLabelNameIsEchoedAsPrintableAsciiOnly()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Fixtures.Edit(a => a["labels"]!["po\u202Ed\u0000"] = "x"));

        var problem = await EdgeAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("alerts[0].labels")[0].GetString()!;
        Assert.Contains("'po?d?'", message);
    }

    // Alertmanager's clock may run a little ahead of ours; that is accepted, a day is not.
    [Fact]
    public async Task StartsAtWithinTheClockSkewIsAccepted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var body = Fixtures.Edit(a => a["startsAt"] = TestApp.Start.AddMinutes(30).ToString("O"));

        using var response = await app.Operator.PostAsync("/simulate", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // Fields the service never reads may be null; only those it relies on are refused.
    [Fact]
    public async Task NullsInOptionalFieldsAreAccepted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var body = Fixtures.Edit(a => { a["endsAt"] = null; a["generatorURL"] = null; a["annotations"] = null; }, body: r =>
        {
            foreach (var field in new[] { "receiver", "groupKey", "externalURL", "truncatedAlerts", "groupLabels", "commonLabels", "commonAnnotations" })
                r[field] = null;
        });

        using var response = await app.Operator.PostAsync("/simulate", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MaxAlertsIsConfigurable()
    {
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:Limits:MaxAlerts"] = "2")).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Fixtures.Edit(_ => { }, copies: 3));

        var problem = await EdgeAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty("alerts")[0].GetString();
        Assert.Equal("At most 2 alerts per delivery.", message);
        Assert.Empty((await app.AuditAsync()).Items);
    }

    [Fact]
    public async Task LabelsAtTheirLimitsAreAccepted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var body = Fixtures.Edit(a =>
        {
            var labels = a["labels"]!.AsObject();
            for (var i = labels.Count; i < 63; i++) labels[$"extra_{i}"] = "x";
            labels[new string('n', 128)] = new string('v', 1024);
            a["annotations"]!["description"] = new string('d', 8 * 1024);
        });

        using var response = await app.Operator.PostAsync("/simulate", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, json.RootElement.GetProperty("alerts").GetArrayLength());
    }
}
