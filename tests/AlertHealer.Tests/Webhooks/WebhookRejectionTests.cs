using System.Net;
using System.Text;
using AlertHealer.Tests.Infrastructure;
using static AlertHealer.Tests.Heartbeat.Heartbeats;

namespace AlertHealer.Tests.Webhooks;

// alerthealer_webhook_rejected_total{reason}: every refusal of a delivery to the webhook is
// counted under its reason, whichever layer refused it; nothing else is.
public sealed class WebhookRejectionTests
{
    private static readonly string[] Reasons = ["unauthorized", "forbidden", "invalid", "too-large", "unsupported-media-type", "rate-limited"];

    private static string Series(string reason) => $"alerthealer_webhook_rejected_total{{reason=\"{reason}\"}}";

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync("/webhook/alertmanager", content);
        return response.StatusCode;
    }

    // Every reason's count, so a test shows which one moved and that no other did.
    private static async Task<Dictionary<string, double>> CountsAsync(TestApp app)
    {
        var metrics = await MetricsAsync(app);
        return Reasons.ToDictionary(r => r, r => Value(metrics, Series(r)));
    }

    private static void OnlyCounted(Dictionary<string, double> counts, string reason, double expected) =>
        Assert.All(Reasons, r => Assert.True(counts[r] == (r == reason ? expected : 0), $"{r}: {counts[r]}"));

    [Fact]
    public async Task EveryReasonIsExposedAtZeroBeforeAnyRefusal()
    {
        await using var app = await TestApp.StartAsync();

        Assert.All((await CountsAsync(app)).Values, v => Assert.Equal(0, v));
    }

    [Fact]
    public async Task AMissingOrWrongTokenCountsAsUnauthorized()
    {
        await using var app = await TestApp.StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(app.Anonymous, Fixtures.Firing));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(app.Client("not-the-webhook-token-0123456789"), Fixtures.Firing));

        OnlyCounted(await CountsAsync(app), "unauthorized", 2);
        Assert.Empty((await app.AuditAsync("?limit=500")).Items);
    }

    [Fact]
    public async Task AnotherRolesTokenCountsAsForbidden()
    {
        await using var app = await TestApp.StartAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(app.Reader, Fixtures.Firing));

        OnlyCounted(await CountsAsync(app), "forbidden", 1);
    }

    [Fact]
    public async Task ABodyThatFailsValidationOrIsNotJsonCountsAsInvalid()
    {
        await using var app = await TestApp.StartAsync();

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(app.Webhook, "{}"));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(app.Webhook, "{\"version\":"));

        OnlyCounted(await CountsAsync(app), "invalid", 2);
    }

    [Fact]
    public async Task ABodyOverTheLimitCountsAsTooLarge()
    {
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Limits:WebhookBodyBytes"] = "2048");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostAsync(app.Webhook, Fixtures.Firing + new string(' ', 4096)));

        OnlyCounted(await CountsAsync(app), "too-large", 1);
    }

    [Fact]
    public async Task ABodyThatIsNotUtf8JsonCountsAsUnsupportedMediaType()
    {
        await using var app = await TestApp.StartAsync();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync(app.Webhook, Fixtures.Firing, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync(app.Webhook, Fixtures.Firing, "application/json; charset=iso-8859-1"));

        OnlyCounted(await CountsAsync(app), "unsupported-media-type", 2);
    }

    [Fact]
    public async Task DeliveriesOverTheWebhookRateCountAsRateLimited()
    {
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Limits:WebhookPerMinute"] = "2");

        Assert.Equal(HttpStatusCode.OK, await PostAsync(app.Webhook, FromAlertmanager()));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(app.Webhook, FromAlertmanager()));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PostAsync(app.Webhook, FromAlertmanager()));

        OnlyCounted(await CountsAsync(app), "rate-limited", 1);
    }

    [Fact]
    public async Task WithoutAWebhookRateEveryDeliveryIsAccepted()
    {
        await using var app = await TestApp.StartAsync();

        for (var i = 0; i < 30; i++) Assert.Equal(HttpStatusCode.OK, await PostAsync(app.Webhook, FromAlertmanager()));

        Assert.All((await CountsAsync(app)).Values, v => Assert.Equal(0, v));
    }

    [Fact]
    public async Task RefusalsOnOtherRoutesAreNotCounted()
    {
        await using var app = await TestApp.StartAsync();

        using var audit = await app.Anonymous.GetAsync("/audit");
        using var policies = await app.Webhook.GetAsync("/policies");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (audit.StatusCode, policies.StatusCode));
        Assert.All((await CountsAsync(app)).Values, v => Assert.Equal(0, v));
    }
}
