using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlertHealer.Audit;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Remediation;

public sealed class ManualRemediationTests
{
    [Fact]
    public async Task OperatorRestartDeletesThePodAndAnswersWithTheDecision()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "UI blank since 09:00" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = (await response.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
        Assert.Equal(Outcomes.Restarted, decision.Outcome);
        Assert.Equal(Fixtures.WedgedPod, decision.Action!.Pod);
        Assert.Contains(decision.Steps, s => s.Name == "dependency" && s.Result == "ready");
        Assert.Single(app.Kube.Deletes());
        var entry = await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{decision.AuditId}", Json.Options);
        Assert.Equal(Triggers.Manual, entry!.Trigger);
        Assert.Equal("UI blank since 09:00", entry.Reason);
        Assert.Equal("operator", entry.Actor!.Role);
    }

    [Fact]
    public async Task ManualRequestGoesThroughTheSameDependencyGuard()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(goldmaneReady: false);

        using var response = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "try" });

        var decision = (await response.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
        Assert.Equal(Outcomes.DependencyNotReady, decision.Outcome);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task ManualDryRunDeletesNothing()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "check", dryRun = true });

        var decision = (await response.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
        Assert.Equal(Outcomes.DryRun, decision.Outcome);
        Assert.True(decision.DryRun);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task NoWhiskerPodIsNoTarget()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(whisker: false);

        using var response = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "try" });

        var decision = (await response.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
        Assert.Equal(Outcomes.NoTarget, decision.Outcome);
        Assert.Empty(app.Kube.Deletes());
    }

    [Fact]
    public async Task UnknownPolicyIs404WithTheKnownPolicies()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "goldmane", reason = "try" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("whisker", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Kube.Deletes());
        Assert.Empty((await app.AuditAsync()).Items);
    }

    [Theory]
    [InlineData("{\"reason\":\"x\"}", "policy")]
    [InlineData("{\"policy\":\"whisker\"}", "reason")]
    [InlineData("{\"policy\":\"Whisker; DROP TABLE audit\",\"reason\":\"x\"}", "policy")]
    [InlineData("{\"policy\":\"whisker\",\"reason\":\"x\",\"dryRun\":\"yes\"}", "$.dryRun")]
    public async Task InvalidRequestIs400NamingTheField(string body, string field)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.Operator.PostAsync("/remediate", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Empty(app.Kube.Deletes());
    }
}
