using System.Net;
using System.Text;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

public sealed class BodyLimitTests
{
    private static string Padded(int bytes) => Fixtures.Edit(_ => { }, body: r => r["padding"] = new string('p', bytes));

    [Fact]
    public async Task OversizeWebhookIs413BeforeAnythingIsStored()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Padded(1024 * 1024));

        var problem = await EdgeAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("At most 1048576 bytes are accepted here.", problem.GetProperty("detail").GetString());
        await app.DrainAsync();
        Assert.Empty((await app.AuditAsync()).Items);
        Assert.Empty(app.Kube.Deletes());
    }

    // No Content-Length: the limit has to hold while the body is read, and give 413, not 500.
    [Fact]
    public async Task OversizeChunkedWebhookIs413WhileReading()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        using var client = EdgeAssert.StreamingClient(app, TestApp.WebhookToken);
        using var body = new ChunkedContent(Encoding.UTF8.GetBytes(Padded(1024 * 1024)));

        using var response = await client.PostAsync("/webhook/alertmanager", body);

        Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
        await EdgeAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await app.DrainAsync();
        Assert.Empty((await app.AuditAsync()).Items);
    }

    [Fact]
    public async Task ChunkedWebhookUnderTheLimitIsAccepted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        using var client = EdgeAssert.StreamingClient(app, TestApp.WebhookToken);

        using var response = await client.PostAsync("/webhook/alertmanager", new ChunkedContent(Encoding.UTF8.GetBytes(Padded(512 * 1024))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/simulate", 256 * 1024)]
    [InlineData("/remediate", 16 * 1024)]
    public async Task ManualEndpointsHaveTheirOwnSmallerLimits(string path, int limit)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.Operator.PostAsync(path, new StringContent(Padded(limit), Encoding.UTF8, "application/json"));

        var problem = await EdgeAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal($"At most {limit} bytes are accepted here.", problem.GetProperty("detail").GetString());
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task WebhookLimitIsConfigurable()
    {
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:Limits:WebhookBodyBytes"] = "4096")).WithCalicoSystem();

        using var small = await app.PostWebhookAsync(Fixtures.Firing);
        using var large = await app.PostWebhookAsync(Padded(4096));

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        await EdgeAssert.ProblemAsync(large, HttpStatusCode.RequestEntityTooLarge);
    }
}
