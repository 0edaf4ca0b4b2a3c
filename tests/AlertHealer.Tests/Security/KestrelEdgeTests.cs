using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

// On real Kestrel, for what only Kestrel does: the Server header and its own body limit.
public sealed class KestrelEdgeTests
{
    private static byte[] Oversize() =>
        Encoding.UTF8.GetBytes(Fixtures.Edit(_ => { }, body: r => r["padding"] = new string('p', 2 * 1024 * 1024)));

    // A plain client: the factory's clients buffer bodies, so nothing would go out chunked.
    private static HttpClient Plain(TestApp app)
    {
        var client = new HttpClient { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestApp.WebhookToken);
        return client;
    }

    [Fact]
    public async Task KestrelSendsNoServerHeaderAndTheSecurityHeaders()
    {
        await using var app = (await TestApp.StartAsync(kestrel: true)).WithCalicoSystem();

        using var response = await app.Reader.GetAsync("/audit");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", app.BaseAddress.Host);
        EdgeAssert.SecurityHeaders(response);
    }

    [Fact]
    public async Task KestrelRefusesAnOversizeWebhookWith413()
    {
        await using var app = (await TestApp.StartAsync(kestrel: true)).WithCalicoSystem();
        using var client = Plain(app);

        using var response = await client.PostAsync("/webhook/alertmanager", new ByteArrayContent(Oversize())
        {
            Headers = { ContentType = new("application/json") },
        });

        await EdgeAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        EdgeAssert.SecurityHeaders(response);
    }

    // Kestrel's own limit (set per request from the endpoint) stops a chunked upload too.
    [Fact]
    public async Task KestrelRefusesAnOversizeChunkedWebhookWith413()
    {
        await using var app = (await TestApp.StartAsync(kestrel: true)).WithCalicoSystem();
        using var client = Plain(app);

        using var response = await client.PostAsync("/webhook/alertmanager", new ChunkedContent(Oversize()));

        Assert.Equal("chunked", string.Join(",", response.RequestMessage!.Headers.TransferEncoding));
        await EdgeAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        EdgeAssert.SecurityHeaders(response);
        await app.DrainAsync();
        Assert.Empty((await app.AuditAsync()).Items);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task KestrelAcceptsAChunkedAlertOfNormalSize()
    {
        await using var app = (await TestApp.StartAsync(kestrel: true)).WithCalicoSystem();
        using var client = Plain(app);

        using var response = await client.PostAsync("/webhook/alertmanager", new ChunkedContent(Encoding.UTF8.GetBytes(Fixtures.Resolved)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
