using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Inbox;
using AlertHealer.Policies;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Remediation;

// A DELETE whose answer is lost (reset, timeout, or the process dying) may have taken effect.
// The intent recorded before it is re-sent exactly; a target is never selected again.
public sealed class IntentTests
{
    private const string NoPodLabel = "0a1b2c3d4e5f6071";

    private static async Task<TestApp> StartAsync(FakeKubernetesApi? kube = null, FakeTimeProvider? time = null, string? directory = null)
    {
        var app = await TestApp.StartAsync(s => s["AlertHealer:Kubernetes:CallTimeout"] = "00:00:10", directory, kube, time);
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        return app;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LostDeleteAnswerIsConfirmedAndTheReplacementIsNeverDeleted(bool timeout)
    {
        await using var app = (await StartAsync()).WithCalicoSystem();
        var original = app.Kube.Pods("calico-system").Single(p => p.Metadata.Name == Fixtures.WedgedPod).Metadata.Uid;
        app.Kube.LoseAnswerNext("delete", "pods", stall: timeout);

        await app.PostWebhookAsync(Fixtures.NewIncident(NoPodLabel));
        await app.Kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(30));
        if (timeout) app.Time.Advance(TimeSpan.FromSeconds(11));

        var entry = await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(5), 60, "restarted once confirmed");
        Assert.Single(app.Kube.Deletes());
        var deletes = app.Kube.Requests.Where(r => r.Verb == "delete").ToList();
        Assert.All(deletes, d => Assert.Contains(original, d.Body));
        Assert.Equal(2, deletes.Count);
        Assert.Equal(404, deletes[1].StatusCode);
        Assert.Equal(original, entry.Action!.Uid);
        Assert.Contains(entry.Steps, s => s is { Name: "intent", Result: "resumed" });
        Assert.Single((await app.AuditAsync()).Items);
    }

    // Found by the two-replica soak, seed 20261205: the first DELETE went through with its answer
    // lost, every re-send was refused with 503 until RetryFor passed, and the deleted pod was
    // recorded failed. A refused re-send says nothing of the first: failed only while the pod is there.
    [Fact]
    public async Task RefusedResendsAfterALostAnswerAreNotRecordedFailedWhileThePodIsGone()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();
        var original = app.Kube.Pods("calico-system").Single(p => p.Metadata.Name == Fixtures.WedgedPod).Metadata.Uid;
        app.Kube.LoseAnswerNext("delete", "pods");

        await app.PostWebhookAsync(Fixtures.NewIncident(NoPodLabel));
        await app.Kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(30));
        app.Kube.FailNext("delete", "pods", 12, 503);

        var entry = await app.AdvanceUntilAsync(e => e.Outcome is Outcomes.Restarted or Outcomes.Failed, TimeSpan.FromMinutes(1), 60, "decided");
        Assert.Equal(Outcomes.Restarted, entry.Outcome);
        Assert.Equal(original, entry.Action!.Uid);
        Assert.Single(app.Kube.Deletes());
        var deletes = app.Kube.Requests.Where(r => r.Verb == "delete").ToList();
        Assert.True(deletes.Count(d => d.StatusCode == 503) == 12, string.Join(", ", deletes.Select(d => d.StatusCode)));
        Assert.Equal(404, deletes[^1].StatusCode);
        Assert.Single((await app.AuditAsync()).Items);
    }

    // Found by the soak, seed 20261209 (one replica, PostgreSQL): the first DELETE was answered 504
    // without reaching the API server, goldmane turned not Ready, and the re-send 3 s later deleted
    // whisker anyway. While the pod is still there, a re-send is a restart of its own.
    [Fact]
    public async Task AnUnlandedDeleteIsResentOnlyOnceTheDependencyIsReadyAgain()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();
        const string goldmane = "goldmane-7d9f8b6c5-q4wzt";
        var original = app.Kube.Pods("calico-system").Single(p => p.Metadata.Name == Fixtures.WedgedPod).Metadata.Uid;
        var deletesAt = new List<DateTimeOffset>();
        app.Kube.BeforeRequest = request =>
        {
            if (request.Verb != "delete") return Task.CompletedTask;
            // goldmane blips as the first DELETE goes out, which is refused before it lands.
            if (deletesAt.Count == 0) app.Kube.SetReady("calico-system", goldmane, false);
            deletesAt.Add(app.Time.GetUtcNow());
            return Task.CompletedTask;
        };
        app.Kube.FailNext("delete", "pods", 1, 504);

        await app.PostWebhookAsync(Fixtures.NewIncident(NoPodLabel));
        await app.Kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(30));

        // Past RetryFor (10 min): each retry looks at the pod and at goldmane, and sends nothing.
        var inbox = app.Services.GetRequiredService<IInboxStore>();
        var rechecks = 0;
        for (var i = 0; i < 8; i++)
        {
            var before = GoldmaneLists(app);
            await WaitUntilAsync(async () => deletesAt.Count > 1 || (await inbox.StatsAsync()).NextDue > app.Time.GetUtcNow());
            Assert.True(deletesAt.Count == 1, $"re-sent at {deletesAt[^1]:O} while goldmane was not Ready");
            app.Time.Advance(TimeSpan.FromMinutes(2));
            await WaitUntilAsync(() => Task.FromResult(deletesAt.Count > 1 || GoldmaneLists(app) > before));
            Assert.True(deletesAt.Count == 1, $"re-sent at {deletesAt[^1]:O} while goldmane was not Ready");
            rechecks++;
        }
        Assert.Equal(8, rechecks);
        Assert.Single(deletesAt);
        Assert.Empty((await app.AuditAsync()).Items);
        Assert.Contains(app.Kube.Pods("calico-system"), p => p.Metadata.Uid == original);

        var readyAgain = app.Time.GetUtcNow();
        app.Kube.SetReady("calico-system", goldmane, true);
        var entry = await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(30), 20, "re-sent once goldmane settled");

        Assert.Equal(2, deletesAt.Count);
        Assert.True(deletesAt[1] - readyAgain >= TimeSpan.FromSeconds(60), $"re-sent {deletesAt[1] - readyAgain} after goldmane was Ready again");
        Assert.Contains(original, Assert.Single(app.Kube.Deletes()).Body);
        Assert.Equal(original, entry.Action!.Uid);
        Assert.Contains(entry.Steps, s => s is { Name: "intent", Result: "resumed" });
        Assert.Contains(entry.Steps, s => s is { Name: "dependency-recheck", Result: "ready" });
        Assert.Single((await app.AuditAsync()).Items);
    }

    private static int GoldmaneLists(TestApp app) =>
        app.Kube.Requests.Count(r => r is { Verb: "list", Resource: "pods" } && r.LabelSelector?.Contains("goldmane", StringComparison.Ordinal) == true);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the retry did not come");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task LostAnswerForANamedPodIsARestartWithItsBackoffNotAlreadyReplaced()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();
        app.Kube.LoseAnswerNext("delete", "pods");

        await app.PostWebhookAsync(Fixtures.Firing);
        await app.Kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(30));

        var entry = await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(5), 60, "restarted");
        Assert.Equal(Fixtures.WedgedPod, entry.Action!.Pod);
        Assert.Single(app.Kube.Deletes());
        var whisker = (await app.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!;
        Assert.Equal(1, whisker.Policies.Single().ConsecutiveRestarts);
        Assert.NotNull(whisker.Policies.Single().CooldownUntil);
        Assert.Equal(1, whisker.Breaker.RestartsInWindow);
    }

    [Fact]
    public async Task KillBetweenTheDeleteAndItsAuditEntryIsRecordedOnceAfterRestart()
    {
        var time = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time);
        string directory;
        await using (var first = (await StartAsync(kube, time)).WithCalicoSystem())
        {
            kube.LoseAnswerNext("delete", "pods");
            await first.PostWebhookAsync(Fixtures.NewIncident(NoPodLabel));
            await kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(30));
            directory = first.Directory;
            Assert.Empty((await first.AuditAsync()).Items);
        }

        await using var second = await StartAsync(kube, time, directory);
        var entry = await second.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(5), 60, "restarted after the restart");
        Assert.Single(kube.Deletes());
        Assert.Equal(Fixtures.WedgedPod, entry.Action!.Pod);
        Assert.Single((await second.AuditAsync()).Items);
    }

    [Fact]
    public async Task AnotherIncidentWaitsWhileADeleteIsUnconfirmed()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();
        app.Kube.FailNext("delete", "pods", 2, 503);
        app.Kube.LoseAnswerNext("delete", "pods");
        await app.PostWebhookAsync(Fixtures.NewIncident(NoPodLabel));
        await app.Kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(30));

        // A second alert about the same target while the first DELETE is not confirmed.
        await app.PostWebhookAsync(Fixtures.NewIncident("1a1b2c3d4e5f6071"));
        var waited = await app.WaitForOutcomeAsync(Outcomes.InProgress);
        Assert.Contains(waited.Steps, s => s is { Name: "single-flight", Result: "unconfirmed" });

        await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(5), 120, "the first restart confirmed");
        Assert.Single(app.Kube.Deletes());
    }

    [Fact]
    public async Task ResolvedAlertCancelsARetryThatHasNotSentADelete()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();
        app.Kube.FailNext("list", "pods", 1000, 503);
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.Kube.WaitForRequestAsync(r => r.Verb == "list", TimeSpan.FromSeconds(30));

        await app.PostWebhookAsync(Fixtures.Resolved);
        await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Resolved, TimeSpan.FromSeconds(1), 60, "resolved");
        var cancelled = await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.AlertResolved, TimeSpan.FromSeconds(5), 60, "cancelled by the resolve");

        Assert.Equal("firing", cancelled.Alert!.Status);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Verb == "delete");
    }

    [Fact]
    public async Task PodCreatedAfterTheAlertStartedIsNeverDeleted()
    {
        await using var app = await StartAsync();
        app.Kube.AddPod("calico-system", "goldmane-7d9f8b6c5-q4wzt", new Dictionary<string, string> { ["k8s-app"] = "goldmane" }, true, app.Time.GetUtcNow() - TimeSpan.FromHours(1));
        // Created now, 10 minutes after the fixture alert's startsAt.
        app.Kube.AddPod("calico-system", "whisker-5b8d6c7f9-n3w00", new Dictionary<string, string> { ["k8s-app"] = "whisker" }, true, app.Time.GetUtcNow());

        await app.PostWebhookAsync(Fixtures.NewIncident(NoPodLabel));

        var entry = await app.WaitForOutcomeAsync(Outcomes.AlreadyReplaced);
        Assert.Contains(entry.Steps, s => s is { Name: "target", Result: "created-after-alert" } && s.Detail.Contains("whisker-5b8d6c7f9-n3w00"));
        Assert.DoesNotContain(app.Kube.Requests, r => r.Verb == "delete");
    }

    [Fact]
    public async Task ManualRestartWithALostAnswerSays504AndIsConfirmedOnce()
    {
        await using var app = (await StartAsync()).WithCalicoSystem();
        app.Kube.LoseAnswerNext("delete", "pods");

        using var response = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "UI blank" });

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains(Fixtures.WedgedPod, await response.Content.ReadAsStringAsync());
        var entry = await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(5), 60, "confirmed in the background");
        Assert.Equal(Triggers.Manual, entry.Trigger);
        Assert.Equal("UI blank", entry.Reason);
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
    }

    [Fact]
    public async Task VerificationLeftPendingByAStoppedProcessIsSettledAfterRestart()
    {
        var time = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time);
        string directory;
        long id;
        await using (var first = (await StartAsync(kube, time)).WithCalicoSystem())
        {
            kube.ReplacementPolicy = ReplacementPolicy.RecreateNotReady;
            await first.PostWebhookAsync(Fixtures.Firing);
            var restarted = await first.WaitForOutcomeAsync(Outcomes.Restarted);
            Assert.Equal(Verifications.Pending, restarted.Verification);
            (directory, id) = (first.Directory, restarted.Id);
        }
        var replacement = kube.Pods("calico-system").Single(p => p.Metadata.Labels["k8s-app"] == "whisker");
        kube.SetReady("calico-system", replacement.Metadata.Name, true);

        await using var second = await StartAsync(kube, time, directory);

        var settled = await second.WaitForAuditAsync(e => e.Id == id && e.Verification != Verifications.Pending, "settled after the restart");
        Assert.Equal(Verifications.Healed, settled.Verification);
        Assert.Contains(replacement.Metadata.Name, settled.VerificationDetail);
    }

    [Fact]
    public async Task VerificationPastItsDeadlineAtStartIsSettledNotHealed()
    {
        var time = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time);
        string directory;
        long id;
        await using (var first = (await StartAsync(kube, time)).WithCalicoSystem())
        {
            kube.ReplacementPolicy = ReplacementPolicy.RecreateNotReady;
            await first.PostWebhookAsync(Fixtures.Firing);
            var restarted = await first.WaitForOutcomeAsync(Outcomes.Restarted);
            (directory, id) = (first.Directory, restarted.Id);
        }
        time.Advance(TimeSpan.FromMinutes(10));

        await using var second = await StartAsync(kube, time, directory);

        var settled = await second.WaitForAuditAsync(e => e.Id == id && e.Verification != Verifications.Pending, "settled at start");
        Assert.Equal(Verifications.NotHealed, settled.Verification);
    }
}
