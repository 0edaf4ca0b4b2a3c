using System.Net;
using System.Net.Http.Json;
using System.Text;
using AlertHealer.Audit;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Remediation;

public sealed class SimulateTests
{
    private static async Task<SimulatedAlert> SimulateAsync(TestApp app, string body)
    {
        using var response = await app.Operator.PostAsync("/simulate", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single((await response.Content.ReadFromJsonAsync<SimulateResponse>(Json.Options))!.Alerts);
    }

    [Theory]
    [InlineData(true, Outcomes.Restarted)]
    [InlineData(false, Outcomes.DependencyNotReady)]
    public async Task SimulationPredictsWhatTheWorkerThenDoes(bool goldmaneReady, string expected)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(goldmaneReady);

        var predicted = await SimulateAsync(app, Fixtures.Firing);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Verb == "delete");
        Assert.Empty((await app.AuditAsync()).Items);

        await app.PostWebhookAsync(Fixtures.Firing);
        var actual = await app.WaitForOutcomeAsync(expected);

        Assert.Equal(expected, predicted.Outcome);
        // The same gates in the same order with the same results, up to the action itself.
        static IEnumerable<string> Gates(IEnumerable<DecisionStep> steps) =>
            steps.Where(s => s.Name is not ("delete" or "action" or "single-flight")).Select(s => $"{s.Name}:{s.Result}");
        Assert.Equal(Gates(actual.Steps), Gates(predicted.Steps));
    }

    [Fact]
    public async Task SimulatingAnAlreadyHandledIncidentSaysDuplicate()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);

        var predicted = await SimulateAsync(app, Fixtures.Firing);

        Assert.True(predicted.WouldBeDuplicate);
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
    }

    [Fact]
    public async Task SimulateNeedsTheOperatorToken()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.Reader.PostAsync("/simulate", new StringContent(Fixtures.Firing, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
