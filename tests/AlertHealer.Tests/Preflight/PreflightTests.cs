using AlertHealer.Tests.Infrastructure;
using static AlertHealer.Tests.Preflight.PreflightHarness;

namespace AlertHealer.Tests.Preflight;

// The preflight against the fake API server, whose SelfSubjectAccessReview answers from the
// Roles in deploy/: each failure shows on GET /policies, in alerthealer_preflight_ok and as one
// Warning Event about AlertHealer's own pod, and the webhook keeps storing alerts.
public sealed class PreflightTests
{
    [Fact]
    public async Task EveryCheckPassesWithTheShippedRolesLokiAndAlertmanager()
    {
        await using var loki = await FakeLoki.StartAsync();
        await using var alertmanager = await FakeAlertmanager.StartAsync();
        var (kube, time) = await ClusterAsync();
        await using var _ = kube;
        await using var app = await StartAsync(kube, time, s =>
        {
            s["AlertHealer:Loki:BaseUrl"] = loki.BaseUrl.ToString();
            s["AlertHealer:Alertmanager:BaseUrl"] = alertmanager.BaseUrl.ToString();
        });

        var policy = await WaitForRunAsync(app);

        Assert.Equal("ready", (string?)policy["status"]);
        Assert.Equal("ok", (string?)policy["preflight"]!["state"]);
        Assert.Empty(Failed(policy));
        var metrics = await app.Anonymous.GetStringAsync("/metrics");
        foreach (var check in new[] { "rbac/calico-system/pods/delete", "rbac/alerthealer/leases/update", "rbac/alerthealer/events/create",
            "selector/target", "selector/dependency", "loki/signal", "alertmanager/api" })
            Assert.Contains(Series(check, 1), metrics);
        // Asked, not done: reviews and reads only.
        Assert.Equal(9, kube.Requests.Count(r => r.Is("create", "selfsubjectaccessreviews") && r.StatusCode == 201));
        Assert.Empty(kube.Deletes());
        Assert.Contains(loki.Queries, q => q.Query["query"].Contains($"pod=\"{Fixtures.WedgedPod}\"", StringComparison.Ordinal));
        Assert.Single(alertmanager.Requests, r => r.Path.EndsWith(FakeAlertmanager.StatusPath, StringComparison.Ordinal));
        Assert.Empty(PreflightEvents(kube));
        await AssertWebhookStoresAndRecordsPreflightAsync(app, "ok");
    }

    [Theory]
    [InlineData("get", "pods", "calico-system")]
    [InlineData("list", "pods", "calico-system")]
    [InlineData("watch", "pods", "calico-system")]
    [InlineData("delete", "pods", "calico-system")]
    [InlineData("create", "events", "calico-system")]
    [InlineData("create", "events", "alerthealer")]
    [InlineData("get", "leases", "alerthealer")]
    [InlineData("create", "leases", "alerthealer")]
    [InlineData("update", "leases", "alerthealer")]
    public async Task EachDeniedPermissionMakesThePolicyCannotActWithItsReasonMetricAndEvent(string verb, string resource, string ns)
    {
        var (kube, time) = await ClusterAsync();
        await using var _ = kube;
        kube.DenyClient(verb, resource, ns);
        await using var app = await StartAsync(kube, time);

        var policy = await WaitForRunAsync(app);

        var check = $"rbac/{ns}/{resource}/{verb}";
        Assert.Equal("cannot-act", (string?)policy["status"]);
        var failed = Assert.Single(Failed(policy));
        Assert.Equal(check, failed.Key);
        Assert.StartsWith($"may not {verb} {(resource == "pods" ? "pods" : resource == "events" ? "events.events.k8s.io" : "leases.coordination.k8s.io")} in {ns} (not allowed)", failed.Value);
        var metrics = await app.Anonymous.GetStringAsync("/metrics");
        Assert.Contains(Series(check, 0), metrics);
        Assert.Contains(Series("selector/target", 1), metrics);
        var warning = Assert.Single(await WaitForPreflightEventsAsync(kube, 1));
        Assert.Equal(("Warning", "Preflight", Identity), (warning.Type, warning.Action, warning.Regarding.Name));
        Assert.Contains($"policy whisker cannot act: {check}: may not {verb}", warning.Note);
        await AssertWebhookStoresAndRecordsPreflightAsync(app, "cannot-act");
    }

    [Fact]
    public async Task ATargetSelectorMatchingNothingMakesThePolicyCannotAct()
    {
        var (kube, time) = await ClusterAsync(whisker: false);
        await using var _ = kube;
        await using var app = await StartAsync(kube, time);

        var policy = await WaitForRunAsync(app);

        Assert.Equal("cannot-act", (string?)policy["status"]);
        Assert.Equal("no pod in calico-system matches k8s-app=whisker", Assert.Single(Failed(policy), f => f.Key == "selector/target").Value);
        Assert.Contains(Series("selector/target", 0), await app.Anonymous.GetStringAsync("/metrics"));
        Assert.Contains("selector/target: no pod in calico-system matches k8s-app=whisker", Assert.Single(await WaitForPreflightEventsAsync(kube, 1)).Note);
        await AssertWebhookStoresAndRecordsPreflightAsync(app, "cannot-act");
    }

    [Fact]
    public async Task LokiDownMakesThePolicyCannotAct()
    {
        var loki = await FakeLoki.StartAsync();
        var gone = loki.BaseUrl.ToString();
        await loki.DisposeAsync();
        var (kube, time) = await ClusterAsync();
        await using var _ = kube;
        await using var app = await StartAsync(kube, time, s =>
        {
            s["AlertHealer:Loki:BaseUrl"] = gone;
            s["AlertHealer:Loki:Retries"] = "0";
        });

        var policy = await WaitForRunAsync(app);

        Assert.Equal("cannot-act", (string?)policy["status"]);
        Assert.StartsWith("Loki could not be read", Assert.Single(Failed(policy), f => f.Key == "loki/signal").Value);
        Assert.Contains(Series("loki/signal", 0), await app.Anonymous.GetStringAsync("/metrics"));
        Assert.Contains("loki/signal: Loki could not be read", Assert.Single(await WaitForPreflightEventsAsync(kube, 1)).Note);
        await AssertWebhookStoresAndRecordsPreflightAsync(app, "cannot-act");
    }

    [Fact]
    public async Task ALokiTenantOrQueryRefusedMakesThePolicyCannotAct()
    {
        await using var loki = await FakeLoki.StartAsync();
        loki.AnswerText(400, "parse error at line 1, col 5: syntax error: unexpected IDENTIFIER");
        var (kube, time) = await ClusterAsync();
        await using var _ = kube;
        await using var app = await StartAsync(kube, time, s => s["AlertHealer:Loki:BaseUrl"] = loki.BaseUrl.ToString());

        var policy = await WaitForRunAsync(app);

        Assert.Equal("Loki answered 400: parse error at line 1, col 5: syntax error: unexpected IDENTIFIER",
            Assert.Single(Failed(policy), f => f.Key == "loki/signal").Value);
    }

    [Fact]
    public async Task AlertmanagerDownMakesThePolicyCannotAct()
    {
        var alertmanager = await FakeAlertmanager.StartAsync();
        var gone = alertmanager.BaseUrl.ToString();
        await alertmanager.DisposeAsync();
        var (kube, time) = await ClusterAsync();
        await using var _ = kube;
        await using var app = await StartAsync(kube, time, s =>
        {
            s["AlertHealer:Alertmanager:BaseUrl"] = gone;
            s["AlertHealer:Alertmanager:Retries"] = "0";
        });

        var policy = await WaitForRunAsync(app);

        Assert.Equal("cannot-act", (string?)policy["status"]);
        Assert.StartsWith($"Alertmanager at {gone} could not be reached", Assert.Single(Failed(policy), f => f.Key == "alertmanager/api").Value);
        Assert.Contains(Series("alertmanager/api", 0), await app.Anonymous.GetStringAsync("/metrics"));
        Assert.Contains("alertmanager/api: Alertmanager at", Assert.Single(await WaitForPreflightEventsAsync(kube, 1)).Note);
        await AssertWebhookStoresAndRecordsPreflightAsync(app, "cannot-act");
    }

    [Fact]
    public async Task ReviewsThemselvesForbiddenFailEveryPermissionCheckWithTheApisAnswer()
    {
        var (kube, time) = await ClusterAsync();
        await using var _ = kube;
        kube.DenyClient("create", "selfsubjectaccessreviews", "");
        await using var app = await StartAsync(kube, time);

        var failed = Failed(await WaitForRunAsync(app));

        Assert.Equal(9, failed.Count);
        Assert.All(failed, f => Assert.StartsWith("rbac/", f.Key));
        Assert.All(failed.Values, r => Assert.Contains("Kubernetes refused create selfsubjectaccessreviews (403)", r));
        // One Event for the policy's transition, naming every check.
        Assert.Contains("rbac/calico-system/pods/delete", Assert.Single(await WaitForPreflightEventsAsync(kube, 1)).Note);
    }

    [Fact]
    public async Task TheCheckRunsAgainEveryIntervalAndWarnsOncePerTransitionToFailed()
    {
        var (kube, time) = await ClusterAsync();
        await using var _ = kube;
        kube.DenyClient("delete", "pods", "calico-system");
        await using var app = await StartAsync(kube, time, s =>
        {
            s["AlertHealer:Preflight:Interval"] = "00:02:00";
            // Calls time out on the healer's clock: a step of the clock must not cut short a call in flight.
            s["AlertHealer:Kubernetes:CallTimeout"] = "00:30:00";
        });
        var first = await WaitForRunAsync(app);
        await WaitForPreflightEventsAsync(kube, 1);

        // Still failing on the next run: no second Event. (A run starts only after the previous
        // one wrote its Events, so once run N+1 shows, run N's Events are all there.)
        var second = await AdvanceToNextRunAsync(app, first);
        Assert.Equal("cannot-act", (string?)second["status"]);

        // A check that starts failing is a new transition: one more Event, about it alone.
        kube.RemovePod("calico-system", Fixtures.WedgedPod);
        var third = await AdvanceToNextRunAsync(app, second);
        Assert.Equal(2, Failed(third).Count);
        var fourth = await AdvanceToNextRunAsync(app, third);
        var events = EventsUntil(kube, third);
        Assert.Equal(2, events.Count);
        Assert.Equal(TimeOf(third).UtcDateTime, events[1].EventTime);
        Assert.Contains("selector/target: no pod in calico-system matches k8s-app=whisker", events[1].Note);
        Assert.DoesNotContain("pods/delete", events[1].Note);

        // Both still failing: the fourth run wrote nothing.
        await AdvanceToNextRunAsync(app, fourth);
        Assert.Equal(2, EventsUntil(kube, fourth).Count);
    }

    private static DateTimeOffset TimeOf(System.Text.Json.Nodes.JsonObject policy) => policy["preflight"]!["checkedAt"]!.GetValue<DateTimeOffset>();

    private static IReadOnlyList<k8s.Models.Eventsv1Event> EventsUntil(Infrastructure.Kubernetes.FakeKubernetesApi kube, System.Text.Json.Nodes.JsonObject run) =>
        [.. PreflightEvents(kube).Where(e => e.EventTime <= TimeOf(run).UtcDateTime)];

    // Moves the fake clock one interval, again only if no run followed within a few seconds
    // (the loop had not started waiting yet), until the next run shows on GET /policies.
    private static async Task<System.Text.Json.Nodes.JsonObject> AdvanceToNextRunAsync(TestApp app, System.Text.Json.Nodes.JsonObject previous)
    {
        var after = previous["preflight"]!["checkedAt"]!.GetValue<DateTimeOffset>();
        for (var i = 0; i < 5; i++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(2));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (DateTime.UtcNow < deadline)
            {
                if ((await PolicyAsync(app))["preflight"]!["checkedAt"]!.GetValue<DateTimeOffset>() > after) return await WaitForRunAsync(app, after);
                await Task.Delay(50);
            }
        }
        return await WaitForRunAsync(app, after);
    }
}
