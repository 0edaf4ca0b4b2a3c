using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Remediation;

public sealed class GuardTests
{
    [Fact]
    public async Task GoldmaneReadyForLessThanMinReadyForIsNotReadyYet()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(goldmaneReadyFor: TimeSpan.FromSeconds(30));

        await app.PostWebhookAsync(Fixtures.Firing);
        var skipped = await app.WaitForOutcomeAsync(Outcomes.DependencyNotReady);
        Assert.Contains("Ready for 00:01:00", Assert.Single(skipped.Steps, s => s.Name == "dependency").Detail);
        Assert.Empty(app.Kube.Deletes());

        // Not a concluded incident: once goldmane has settled, the re-send acts.
        app.Time.Advance(TimeSpan.FromSeconds(31));
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Single(app.Kube.Deletes());
    }

    [Fact]
    public async Task AReplicaClockAheadOfTheClusterDoesNotShortenMinReadyFor()
    {
        // The API server's clock, and this replica's 30 s ahead of it (found by soak seed 424242, with 5 s).
        var cluster = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(cluster);
        // Ready for 40 s by the cluster's clock, 70 s by the replica's; MinReadyFor is 60 s.
        await using var app = (await TestApp.StartAsync(kube: kube, time: new FakeTimeProvider(TestApp.Start + TimeSpan.FromSeconds(30))))
            .WithCalicoSystem(goldmaneReadyFor: TimeSpan.FromSeconds(40), clusterClock: cluster);

        await app.PostWebhookAsync(Fixtures.Firing);
        var skipped = await app.WaitForOutcomeAsync(Outcomes.DependencyNotReady);
        Assert.Contains("Ready for 00:01:00 (longest 00:00:40 by the API server's clock)", Assert.Single(skipped.Steps, s => s.Name == "dependency").Detail);
        Assert.Empty(kube.Deletes());
        // The skew itself is shown, for the AlertHealerClockSkew alert.
        var metrics = await app.Anonymous.GetStringAsync("/metrics");
        Assert.Contains("\nalerthealer_kubernetes_clock_skew_seconds 30\n", metrics);

        // 20 s later by both clocks goldmane has been Ready for 60 s, and the re-send acts.
        cluster.Advance(TimeSpan.FromSeconds(20));
        app.Time.Advance(TimeSpan.FromSeconds(20));
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Single(kube.Deletes());
    }

    [Fact]
    public async Task AReplicaClockBehindTheClusterDoesNotLengthenMinReadyFor()
    {
        // One clock judges: a replica 30 s behind waits no longer than the cluster says.
        var cluster = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(cluster);
        // Ready for 70 s by the cluster's clock, 40 s by the replica's.
        await using var app = (await TestApp.StartAsync(kube: kube, time: new FakeTimeProvider(TestApp.Start - TimeSpan.FromSeconds(30))))
            .WithCalicoSystem(goldmaneReadyFor: TimeSpan.FromSeconds(70), clusterClock: cluster);

        await app.PostWebhookAsync(Fixtures.Firing);

        var restarted = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Equal("ready", Assert.Single(restarted.Steps, s => s.Name == "dependency").Result);
        Assert.Single(kube.Deletes());
    }

    [Fact]
    public async Task PodWithoutAControllerIsNeverDeleted()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(whisker: false);
        app.Kube.AddPod("calico-system", Fixtures.WedgedPod, new Dictionary<string, string> { ["k8s-app"] = "whisker" }, true, controlled: false);

        await app.PostWebhookAsync(Fixtures.Firing);

        var entry = await app.WaitForOutcomeAsync(Outcomes.NoTarget);
        Assert.Contains("controller", Assert.Single(entry.Steps, s => s.Name == "target").Detail);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Verb == "delete");
    }

    [Fact]
    public async Task AlertNamingAPodThatIsGoneDeletesNothing()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem(whisker: false);
        app.Kube.AddPod("calico-system", "whisker-5b8d6c7f9-newer", new Dictionary<string, string> { ["k8s-app"] = "whisker" }, true);

        await app.PostWebhookAsync(Fixtures.Firing);

        await app.WaitForOutcomeAsync(Outcomes.AlreadyReplaced);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Verb == "delete");
        Assert.Single(app.Kube.Pods("calico-system"), p => p.Metadata.Name == "whisker-5b8d6c7f9-newer");
    }

    [Fact]
    public async Task AlertCannotSteerTheDeleteToAPodOutsideTheSelector()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000ff", pod: "goldmane-7d9f8b6c5-q4wzt"));

        var entry = await app.WaitForOutcomeAsync(Outcomes.NoTarget);
        Assert.Contains("does not match", Assert.Single(entry.Steps, s => s.Name == "target").Detail);
        Assert.DoesNotContain(app.Kube.Requests, r => r.Verb == "delete");
    }

    [Fact]
    public async Task PodReplacedBetweenDecisionAndDeleteIsLeftAlone()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        string? replacementUid = null;
        app.Kube.BeforeRequest = request =>
        {
            if (request.Verb == "delete" && replacementUid is null)
            {
                // The operator recreated the pod under the same name just before our delete.
                app.Kube.RemovePod("calico-system", Fixtures.WedgedPod);
                replacementUid = app.Kube.AddPod("calico-system", Fixtures.WedgedPod, new Dictionary<string, string> { ["k8s-app"] = "whisker" }, true).Metadata.Uid;
            }
            return Task.CompletedTask;
        };

        await app.PostWebhookAsync(Fixtures.Firing);

        var entry = await app.WaitForOutcomeAsync(Outcomes.AlreadyReplaced);
        Assert.Equal(409, Assert.Single(app.Kube.Requests, r => r.Verb == "delete").StatusCode);
        Assert.Empty(app.Kube.Deletes());
        Assert.Equal(replacementUid, app.Kube.Pods("calico-system").Single(p => p.Metadata.Name == Fixtures.WedgedPod).Metadata.Uid);
        Assert.Null(entry.Error);
    }

    [Fact]
    public async Task ReplacementThatBecomesReadyIsRecordedHealed()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;

        await app.PostWebhookAsync(Fixtures.Firing);

        var entry = await app.WaitForAuditAsync(e => e.Verification == Verifications.Healed, "healed");
        Assert.Equal(Outcomes.Restarted, entry.Outcome);
        Assert.Contains("is Ready", entry.VerificationDetail);
        Assert.Single(app.Kube.Deletes());
    }

    [Fact]
    public async Task ReplacementThatNeverBecomesReadyIsRecordedNotHealed()
    {
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:Policies:whisker:MaxAttempts"] = "1")).WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateNotReady;
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);

        var entry = await app.AdvanceUntilAsync(e => e.Verification == Verifications.NotHealed, TimeSpan.FromMinutes(1), 6, "not-healed");

        Assert.Contains("within 00:03:00", entry.VerificationDetail);
        // With MaxAttempts 1 a restart that did not heal waits for a human at once (the policy's
        // state is written in its own transaction, just after the verification).
        var policy = await HighAvailability.Replicas.EventuallyAsync(async () =>
        {
            var policies = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<AlertHealer.Policies.PoliciesView>(app.Reader, "/policies", Json.Options);
            return policies!.Policies.Single() is { NeedsHuman: true } p ? p : null;
        }, TimeSpan.FromSeconds(10), "needs-human after a restart that did not heal");
        Assert.Equal("needs-human", policy.Status);
    }
}
