using System.Net;
using System.Text;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

public sealed class SecurityHeaderTests
{
    public static TheoryData<string, HttpStatusCode> Responses() => new()
    {
        { "health", HttpStatusCode.OK },
        { "audit", HttpStatusCode.OK },
        { "metrics", HttpStatusCode.OK },
        { "no token", HttpStatusCode.Unauthorized },
        { "wrong role", HttpStatusCode.Forbidden },
        { "no route", HttpStatusCode.NotFound },
        { "wrong method", HttpStatusCode.MethodNotAllowed },
        { "bad query", HttpStatusCode.BadRequest },
        { "bad body", HttpStatusCode.BadRequest },
        { "too large", HttpStatusCode.RequestEntityTooLarge },
        { "not json", HttpStatusCode.UnsupportedMediaType },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task EveryResponseCarriesTheSecurityHeaders(string kind, HttpStatusCode status)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = kind switch
        {
            "health" => await app.Anonymous.GetAsync("/healthz"),
            "audit" => await app.Reader.GetAsync("/audit"),
            "metrics" => await app.Anonymous.GetAsync("/metrics"),
            "no token" => await app.Anonymous.GetAsync("/audit"),
            "wrong role" => await app.Reader.PostAsync("/breaker/close", null),
            "no route" => await app.Reader.GetAsync("/nothing-here"),
            "wrong method" => await app.Reader.DeleteAsync("/audit"),
            "bad query" => await app.Reader.GetAsync("/audit?limit=0"),
            "bad body" => await app.PostWebhookAsync("{"),
            "too large" => await app.PostWebhookAsync(new string(' ', 2 * 1024 * 1024)),
            _ => await app.Webhook.PostAsync("/webhook/alertmanager", new StringContent(Fixtures.Firing, Encoding.UTF8, "text/plain")),
        };

        Assert.Equal(status, response.StatusCode);
        EdgeAssert.SecurityHeaders(response);
    }
}
