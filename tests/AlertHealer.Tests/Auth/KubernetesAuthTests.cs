using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Auth;

public sealed class KubernetesAuthTests
{
    private const string AliceToken = "alice-service-account-token-0123";

    private static async Task<TestApp> StartAsync(bool enabled = true)
    {
        var app = (await TestApp.StartAsync(s => s["AlertHealer:Auth:KubernetesAuth"] = enabled ? "true" : "false")).WithCalicoSystem();
        app.Kube.AddUser(AliceToken, "alice", ["sre"]);
        return app;
    }

    [Fact]
    public async Task KubernetesUserWhoMayDeletePodsCanRemediateAndIsAudited()
    {
        await using var app = await StartAsync();
        app.Kube.Allow("alice", "delete", "pods", "calico-system");

        using var response = await app.Client(AliceToken).PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "UI blank" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = (await response.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
        Assert.Equal(Outcomes.Restarted, decision.Outcome);
        var entry = (await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{decision.AuditId}", Json.Options))!;
        Assert.Equal(new Actor("kubernetes-user", "alice"), entry.Actor);
        var review = Assert.Single(app.Kube.Requests, r => r.Resource == "subjectaccessreviews");
        Assert.Contains("\"alice\"", review.Body);
        Assert.Contains("calico-system", review.Body);
        Assert.Single(app.Kube.Requests, r => r.Resource == "tokenreviews" && r.Verb == "create");
    }

    [Fact]
    public async Task KubernetesUserWithoutDeleteRightsIsForbiddenAndNothingHappens()
    {
        await using var app = await StartAsync();
        app.Kube.Allow("alice", "get", "pods", "calico-system");

        using var response = await app.Client(AliceToken).PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "UI blank" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("alice", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Kube.Deletes());
        Assert.Empty((await app.AuditAsync()).Items);
    }

    [Fact]
    public async Task RepeatedUnknownTokensCostOneTokenReview()
    {
        await using var app = await StartAsync();
        var stranger = app.Client("not-a-kubernetes-token-0123456789");

        for (var i = 0; i < 5; i++)
        {
            using var response = await stranger.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "x" });
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Single(app.Kube.Requests, r => r.Resource == "tokenreviews");
    }

    [Fact]
    public async Task KubernetesTokensAreOnlyReviewedForRemediate()
    {
        await using var app = await StartAsync();

        using var audit = await app.Client(AliceToken).GetAsync("/audit");
        using var webhook = await app.PostWebhookAsync(Fixtures.Firing, app.Client(AliceToken));

        Assert.Equal(HttpStatusCode.Unauthorized, audit.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, webhook.StatusCode);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Resource == "tokenreviews");
    }

    [Fact]
    public async Task WithTheModeOffKubernetesTokensAreRejected()
    {
        await using var app = await StartAsync(enabled: false);
        app.Kube.Allow("alice", "delete", "pods", "calico-system");

        using var response = await app.Client(AliceToken).PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "UI blank" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Resource == "tokenreviews");
        Assert.Empty(app.Kube.Deletes());
    }
}
