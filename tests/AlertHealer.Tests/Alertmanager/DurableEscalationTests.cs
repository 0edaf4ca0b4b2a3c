using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using AlertHealer.Alertmanager;
using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Alertmanager;

// Open escalations live in the store: a page outlives the process, or the replica, that raised
// it; whoever runs next keeps it firing and ends it.
public sealed class DurableEscalationTests : IAsyncLifetime
{
    private static readonly Escalation Stuck = new(
        "whisker", EscalationReasons.NeedsHuman, "calico-system/k8s-app=whisker", "AlertHealer: whisker needs-human", "1 restart in a row did not stick.");

    private FakeAlertmanager _alertmanager = null!;

    public async Task InitializeAsync() => _alertmanager = await FakeAlertmanager.StartAsync();

    public async Task DisposeAsync() => await _alertmanager.DisposeAsync();

    private Task<TestApp> StartAsync(FakeKubernetesApi kube, FakeTimeProvider time, string? directory = null, string provider = "Sqlite") =>
        TestApp.StartAsync(s =>
        {
            s["AlertHealer:Alertmanager:BaseUrl"] = _alertmanager.BaseUrl.ToString();
            s["AlertHealer:Alertmanager:Retries"] = "0";
            s["AlertHealer:Policies:whisker:MaxAttempts"] = "1";
        }, directory, kube, time, provider: provider);

    // A restart that healed, then a new incident past the cooldown: MaxAttempts 1 is reached.
    private static async Task RaiseNeedsHumanAsync(TestApp app)
    {
        app.WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000d1"));
        // Healed first, so the verification cannot end the page raised below.
        await app.WaitForAuditAsync(e => e.Outcome == Outcomes.Restarted && e.Verification == Verifications.Healed, "healed");
        app.Time.Advance(TimeSpan.FromMinutes(11));
        await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000d2"));
        await app.WaitForOutcomeAsync(Outcomes.NeedsHuman);
    }

    private List<JsonNode> NeedsHumanPosts() =>
        [.. _alertmanager.AlertPosts.SelectMany(p => FakeAlertmanager.Alerts(p)).Where(a => FakeAlertmanager.Labels(a!)["reason"] == "needs-human").Select(a => a!)];

    private static DateTimeOffset Time(JsonNode alert, string field) => DateTimeOffset.Parse(alert[field]!.GetValue<string>(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task APageRaisedBeforeARestartIsRepostedAtOnceAndTheResetAfterTheRestartEndsIt()
    {
        var time = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time);
        string directory;
        await using (var first = await StartAsync(kube, time))
        {
            await RaiseNeedsHumanAsync(first);
            await _alertmanager.WaitForRequestsAsync(1);
            directory = first.Directory;
        }
        var raised = Assert.Single(NeedsHumanPosts());
        time.Advance(TimeSpan.FromMinutes(50));

        await using var second = await StartAsync(kube, time, directory);

        // Re-posted by the new process without waiting for the refresh interval.
        await _alertmanager.WaitForRequestsAsync(2);
        var reposted = NeedsHumanPosts()[1];
        Assert.Equal(FakeAlertmanager.Labels(raised), FakeAlertmanager.Labels(reposted));
        Assert.Equal(Time(raised, "startsAt"), Time(reposted, "startsAt"));
        Assert.Equal(time.GetUtcNow().AddHours(1), Time(reposted, "endsAt"));

        using var reset = await second.Operator.PostAsync("/policies/whisker/reset", null);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        // The reset's end (and, if the reset overtook the re-post's second look, that one's end too).
        var ends = NeedsHumanPosts().Skip(2).ToList();
        Assert.NotEmpty(ends);
        Assert.All(ends, ended =>
        {
            Assert.Equal(FakeAlertmanager.Labels(raised), FakeAlertmanager.Labels(ended));
            Assert.True(Time(ended, "endsAt") <= time.GetUtcNow(), $"the page should end now, endsAt {Time(ended, "endsAt"):O}");
        });
        Assert.Empty(await second.Services.GetRequiredService<IStateStore>().GetOpenEscalationsAsync());
    }

    [Fact]
    public async Task AReplicaThatDidNotRaiseAPageKeepsItFiringAfterTheOtherStopsAndEndsIt()
    {
        var time = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time);
        var first = await StartAsync(kube, time, provider: "Postgres");
        TestApp second;
        try
        {
            await RaiseNeedsHumanAsync(first);
            await _alertmanager.WaitForRequestsAsync(1);
            second = await StartAsync(kube, time, first.Directory, provider: "Postgres");
        }
        finally
        {
            await first.DisposeAsync();
        }
        await using var _ = second;
        // Posted at the second's start, while the first still ran.
        await _alertmanager.WaitForRequestsAsync(2);
        var raised = NeedsHumanPosts()[0];

        // The refresher's timer is armed once its first post is answered: minutes pass until it fires.
        for (var minute = 0; minute < 2 * EscalationRefresher.Interval.TotalMinutes && _alertmanager.AlertPosts.Count < 3; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(100);
        }

        await _alertmanager.WaitForRequestsAsync(3);
        var refreshed = NeedsHumanPosts()[2];
        Assert.Equal(FakeAlertmanager.Labels(raised), FakeAlertmanager.Labels(refreshed));
        Assert.True(Time(refreshed, "endsAt") >= Time(raised, "endsAt") + EscalationRefresher.Interval);
        using var reset = await second.Operator.PostAsync("/policies/whisker/reset", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var ended = NeedsHumanPosts()[^1];
        Assert.Equal(FakeAlertmanager.Labels(raised), FakeAlertmanager.Labels(ended));
        Assert.True(Time(ended, "endsAt") <= time.GetUtcNow(), $"the page should end now, endsAt {Time(ended, "endsAt"):O}");
    }

    [Fact]
    public async Task APageAnotherReplicaEndsWhileItIsBeingResentIsEndedAgain()
    {
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Alertmanager:BaseUrl"] = _alertmanager.BaseUrl.ToString(),
        });
        await host.Escalator.RaiseAsync(Stuck, host.Token);
        // The other replica's reset lands while this one's refresh is on the wire.
        _alertmanager.WhileAlertPostInFlight = async _ =>
        {
            _alertmanager.WhileAlertPostInFlight = null;
            await host.State.CloseEscalationsAsync("whisker");
        };

        await host.Escalator.RefreshAsync(host.Token);

        var posts = _alertmanager.AlertPosts.Select(p => Assert.Single(FakeAlertmanager.Alerts(p))!).ToList();
        Assert.Equal(3, posts.Count);
        Assert.Equal(host.Time.GetUtcNow().AddHours(1), Time(posts[1], "endsAt"));
        Assert.Equal(FakeAlertmanager.Labels(posts[0]), FakeAlertmanager.Labels(posts[2]));
        Assert.True(Time(posts[2], "endsAt") <= host.Time.GetUtcNow());
    }
}
