using System.Net;
using System.Net.Http.Json;
using System.Text;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

// The limiter keeps its own clock, not the app's TimeProvider, so these tests never wait for
// a window to pass: a limit of 2 and three quick requests.
public sealed class RateLimitTests
{
    private static Task<TestApp> StartAsync() =>
        TestApp.StartAsync(s => s["AlertHealer:Limits:ManualPerMinute"] = "2");

    private static Task<HttpResponseMessage> SimulateAsync(HttpClient client) =>
        client.PostAsync("/simulate", new StringContent(Fixtures.Firing, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task ThirdManualRequestInAMinuteIs429WithRetryAfter()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();

        using var first = await SimulateAsync(app.Operator);
        using var second = await SimulateAsync(app.Operator);
        using var third = await SimulateAsync(app.Operator);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var problem = await EdgeAssert.ProblemAsync(third, HttpStatusCode.TooManyRequests);
        Assert.Contains("At most 2 manual requests per minute", problem.GetProperty("detail").GetString());
        var retryAfter = third.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        EdgeAssert.SecurityHeaders(third);
    }

    // /remediate and /simulate share one budget per token.
    [Fact]
    public async Task RateLimitedRemediateDeletesNothing()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();

        using var first = await SimulateAsync(app.Operator);
        using var second = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "check", dryRun = true });
        using var third = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "for real" });

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await EdgeAssert.ProblemAsync(third, HttpStatusCode.TooManyRequests);
        Assert.Empty(app.Kube.Deletes());
        Assert.DoesNotContain((await app.AuditAsync()).Items, e => e.Reason == "for real");
    }

    // The budget is the operator token's; a caller without a token is counted separately (by
    // address) and still gets its own answer.
    [Fact]
    public async Task OneClientsBudgetIsNotAnothers()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();
        for (var i = 0; i < 3; i++) (await SimulateAsync(app.Operator)).Dispose();

        using var anonymous = await SimulateAsync(app.Anonymous);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    // Alertmanager must never be throttled: a dropped notification is a missed incident.
    [Fact]
    public async Task WebhookIsNotRateLimited()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();

        for (var i = 0; i < 5; i++)
        {
            using var response = await app.PostWebhookAsync(Fixtures.Resolved);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    // Reading the audit log or policies is not a manual action.
    [Fact]
    public async Task ReadsAreNotRateLimited()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();

        for (var i = 0; i < 5; i++)
        {
            using var response = await app.Operator.GetAsync("/audit");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
