using System.Text.Json.Nodes;
using AlertHealer.Alertmanager;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Alertmanager;

public sealed class AlertmanagerEscalatorTests : IAsyncLifetime
{
    private const string ExternalUrl = "https://alerthealer.example.org";

    private static readonly Escalation Stuck = new(
        "whisker", EscalationReasons.NeedsHuman, "calico-system/whisker-5b8d6c7f9-x2kqp",
        "whisker: 3 restarts in a row did not heal", "Restarted 3 times within 2h; each new pod logged the goldmane errors again.");

    // Less than the refresher's interval, so the hosted refresher does not post in between.
    private static readonly TimeSpan Later = EscalationRefresher.Interval - TimeSpan.FromMinutes(1);

    private FakeAlertmanager _alertmanager = null!;
    private ClientHost _host = null!;

    public async Task InitializeAsync()
    {
        _alertmanager = await FakeAlertmanager.StartAsync();
        _host = await ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Alertmanager:BaseUrl"] = _alertmanager.BaseUrl.ToString(),
            ["AlertHealer:Alertmanager:ExternalUrl"] = ExternalUrl,
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _alertmanager.DisposeAsync();
    }

    private DateTimeOffset Now => _host.Time.GetUtcNow();

    private static JsonNode OnlyAlert(CapturedRequest post) => Assert.Single(FakeAlertmanager.Alerts(post))!;

    private static DateTimeOffset Time(JsonNode alert, string field) => DateTimeOffset.Parse(alert[field]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task RaisingPostsTheEscalationLabelsAndNoRemediationLabel()
    {
        await _host.Escalator.RaiseAsync(Stuck, _host.Token);

        var post = Assert.Single(_alertmanager.Requests);
        Assert.Equal("POST", post.Method);
        Assert.Equal("/api/v2/alerts", post.Path);
        Assert.StartsWith("application/json", post.Header("Content-Type"), StringComparison.Ordinal);
        var alert = OnlyAlert(post);
        Assert.Equal(new Dictionary<string, string>
        {
            ["alertname"] = "AlertHealerEscalation",
            ["policy"] = "whisker",
            ["reason"] = "needs-human",
            ["target"] = "calico-system/whisker-5b8d6c7f9-x2kqp",
            ["severity"] = "critical",
        }, FakeAlertmanager.Labels(alert));
        Assert.Null(alert["labels"]!["remediation"]);
        Assert.Equal(Stuck.Summary, alert["annotations"]!["summary"]!.GetValue<string>());
        Assert.Equal(Stuck.Description, alert["annotations"]!["description"]!.GetValue<string>());
        Assert.Equal(Now, Time(alert, "startsAt"));
        Assert.Equal(Now.AddHours(1), Time(alert, "endsAt"));
        Assert.Equal(ExternalUrl, alert["generatorURL"]!.GetValue<string>());
        Assert.Equal(1, await _host.DependencyCallsAsync("alertmanager", "post alerts"));
    }

    [Fact]
    public async Task RaisingAgainKeepsTheFirstStartAndTakesTheNewText()
    {
        var first = Now;
        await _host.Escalator.RaiseAsync(Stuck, _host.Token);
        _host.Time.Advance(Later);

        await _host.Escalator.RaiseAsync(Stuck with { Summary = "still stuck" }, _host.Token);

        var alert = OnlyAlert(_alertmanager.Requests[1]);
        Assert.Equal(first, Time(alert, "startsAt"));
        Assert.Equal(Now.AddHours(1), Time(alert, "endsAt"));
        Assert.Equal("still stuck", alert["annotations"]!["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task ResolvingPostsTheSameLabelsEndingNow()
    {
        await _host.Escalator.RaiseAsync(Stuck, _host.Token);
        _host.Time.Advance(Later);

        await _host.Escalator.ResolveAsync("whisker", _host.Token);

        var raised = OnlyAlert(_alertmanager.Requests[0]);
        var resolved = OnlyAlert(_alertmanager.Requests[1]);
        Assert.Equal(FakeAlertmanager.Labels(raised), FakeAlertmanager.Labels(resolved));
        Assert.True(Time(resolved, "endsAt") <= Now);
        Assert.Equal(Time(raised, "startsAt"), Time(resolved, "startsAt"));
    }

    [Fact]
    public async Task ResolvingEndsOnlyThatPolicysEscalations()
    {
        await _host.Escalator.RaiseAsync(Stuck, _host.Token);
        await _host.Escalator.RaiseAsync(Stuck with { Reason = EscalationReasons.RestartIneffective }, _host.Token);
        await _host.Escalator.RaiseAsync(Stuck with { Policy = "other" }, _host.Token);

        await _host.Escalator.ResolveAsync("whisker", _host.Token);
        await _host.Escalator.RefreshAsync(_host.Token);

        var resolved = FakeAlertmanager.Alerts(_alertmanager.Requests[3]);
        Assert.Equal(["needs-human", "restart-ineffective"], resolved.Select(a => a!["labels"]!["reason"]!.GetValue<string>()).Order());
        var refreshed = OnlyAlert(_alertmanager.Requests[4]);
        Assert.Equal("other", refreshed["labels"]!["policy"]!.GetValue<string>());
        Assert.Equal("other", Assert.Single(await _host.State.GetOpenEscalationsAsync()).Escalation.Policy);
    }

    [Fact]
    public async Task ResolvingWithNothingOpenSendsNothing()
    {
        await _host.Escalator.ResolveAsync("whisker", _host.Token);
        await _host.Escalator.RefreshAsync(_host.Token);

        Assert.Empty(_alertmanager.Requests);
    }

    [Fact]
    public async Task RefreshingRepostsOpenEscalationsAnHourAhead()
    {
        var raisedAt = Now;
        await _host.Escalator.RaiseAsync(Stuck, _host.Token);
        await _host.Escalator.RaiseAsync(Stuck with { Target = "calico-system/whisker-7c9d8e6f5-abcde" }, _host.Token);
        _host.Time.Advance(Later);

        await _host.Escalator.RefreshAsync(_host.Token);

        var refreshed = FakeAlertmanager.Alerts(_alertmanager.Requests[2]);
        Assert.Equal(2, refreshed.Count);
        Assert.All(refreshed, a =>
        {
            Assert.Equal(raisedAt, Time(a!, "startsAt"));
            Assert.Equal(Now.AddHours(1), Time(a!, "endsAt"));
            Assert.Equal("AlertHealerEscalation", a!["labels"]!["alertname"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task TheRefresherRepostsOpenEscalationsEveryFiveMinutes()
    {
        await _host.Escalator.RaiseAsync(Stuck, _host.Token);
        var firstEnd = Time(OnlyAlert(_alertmanager.Requests[0]), "endsAt");

        await _host.DriveAsync(_alertmanager.WaitForRequestsAsync(2), TimeSpan.FromMinutes(1));

        var refreshed = OnlyAlert(_alertmanager.Requests[1]);
        Assert.True(Time(refreshed, "endsAt") - firstEnd >= EscalationRefresher.Interval);
        Assert.Equal(EscalationRefresher.Interval, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task AlertPostsAreRetried()
    {
        _alertmanager.FailNext(1);

        await _host.DriveAsync(_host.Escalator.RaiseAsync(Stuck, _host.Token));

        Assert.Equal(2, _alertmanager.AlertPosts.Count);
        Assert.Equal(_alertmanager.AlertPosts[0].Body, _alertmanager.AlertPosts[1].Body);
        Assert.Equal(0, await _host.DependencyErrorsAsync("alertmanager", "post alerts"));
    }

    [Fact]
    public async Task AnEscalationThatCouldNotBeSentIsDeliveredByTheNextRefresh()
    {
        _alertmanager.FailNext(3);

        await _host.DriveAsync(_host.Escalator.RaiseAsync(Stuck, _host.Token));
        await _host.Escalator.RefreshAsync(_host.Token);

        Assert.Equal(4, _alertmanager.AlertPosts.Count);
        Assert.Equal("needs-human", OnlyAlert(_alertmanager.AlertPosts[3])["labels"]!["reason"]!.GetValue<string>());
        Assert.Equal(1, await _host.DependencyErrorsAsync("alertmanager", "post alerts"));
    }

    [Fact]
    public async Task ASilenceReturnsItsIdAndSendsTheMatchers()
    {
        var until = Now.AddHours(2);

        var id = await _host.Escalator.SilenceAsync(
            new Dictionary<string, string> { ["alertname"] = "WhiskerBackendWedged", ["pod"] = "whisker-5b8d6c7f9-x2kqp" },
            until, "stale: the pod was already replaced", _host.Token);

        Assert.Equal("00000001-5b0c-4a5e-9f3d-000000000000", id);
        var post = Assert.Single(_alertmanager.SilencePosts);
        var body = JsonNode.Parse(post.Body)!;
        var matchers = body["matchers"]!.AsArray();
        Assert.Equal(2, matchers.Count);
        Assert.Equal("alertname", matchers[0]!["name"]!.GetValue<string>());
        Assert.Equal("WhiskerBackendWedged", matchers[0]!["value"]!.GetValue<string>());
        Assert.False(matchers[0]!["isRegex"]!.GetValue<bool>());
        Assert.True(matchers[0]!["isEqual"]!.GetValue<bool>());
        Assert.Equal("pod", matchers[1]!["name"]!.GetValue<string>());
        Assert.Equal(Now, Time(body, "startsAt"));
        Assert.Equal(until, Time(body, "endsAt"));
        Assert.Equal("alerthealer", body["createdBy"]!.GetValue<string>());
        Assert.Equal("stale: the pod was already replaced", body["comment"]!.GetValue<string>());
    }

    [Fact]
    public async Task ASilenceIsSentOnlyOnceEvenWhenAlertmanagerFails()
    {
        _alertmanager.FailNext(1);

        var id = await _host.DriveAsync(_host.Escalator.SilenceAsync(
            new Dictionary<string, string> { ["alertname"] = "WhiskerBackendWedged" }, Now.AddHours(1), "stale", _host.Token));

        Assert.Null(id);
        Assert.Single(_alertmanager.SilencePosts);
        Assert.Equal(1, await _host.DependencyErrorsAsync("alertmanager", "post silence"));
    }

    [Fact]
    public async Task ASilenceWithoutMatchersOrEndingInThePastIsNotSent()
    {
        Assert.Null(await _host.Escalator.SilenceAsync(new Dictionary<string, string>(), Now.AddHours(1), "x", _host.Token));
        Assert.Null(await _host.Escalator.SilenceAsync(new Dictionary<string, string> { ["a"] = "b" }, Now, "x", _host.Token));

        Assert.Empty(_alertmanager.Requests);
    }

    [Fact]
    public async Task AHangingAlertmanagerTimesOutWithoutThrowing()
    {
        _alertmanager.Hang();

        await _host.DriveAsync(_host.Escalator.RaiseAsync(Stuck, _host.Token), TimeSpan.FromSeconds(1));

        Assert.Equal(3, _alertmanager.AlertPosts.Count);
        Assert.Equal(1, await _host.DependencyErrorsAsync("alertmanager", "post alerts"));
    }
}
