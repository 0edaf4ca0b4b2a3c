using System.Net;
using System.Net.Http.Json;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Auth;

public sealed class AuthTests
{
    [Fact]
    public async Task WebhookWithoutTokenIs401AndStoresNothing()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Fixtures.Firing, app.Anonymous);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty((await app.AuditAsync()).Items);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task UnknownTokenIs401()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(Fixtures.Firing, app.Client("not-a-token-anyone-has"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task ReaderTokenCannotDeliverAlertsOrRemediate()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var webhook = await app.PostWebhookAsync(Fixtures.Firing, app.Reader);
        using var remediate = await app.Reader.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, webhook.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, remediate.StatusCode);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task WebhookTokenCannotReadTheAuditLogOrRemediate()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var audit = await app.Webhook.GetAsync("/audit");
        using var remediate = await app.Webhook.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, audit.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, remediate.StatusCode);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task OperatorTokenMayAlsoRead()
    {
        await using var app = await TestApp.StartAsync();

        using var audit = await app.Operator.GetAsync("/audit");
        using var policies = await app.Operator.GetAsync("/policies");

        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        Assert.Equal(HttpStatusCode.OK, policies.StatusCode);
    }

    [Fact]
    public async Task HealthEndpointsNeedNoToken()
    {
        await using var app = await TestApp.StartAsync();

        using var health = await app.Anonymous.GetAsync("/healthz");
        using var ready = await app.Anonymous.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"kubernetes\":\"ok\"", await ready.Content.ReadAsStringAsync());
    }
}
