using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace AlertHealer.Tests.Remediation;

public sealed class SingleFlightTests
{
    [Fact]
    public async Task SecondRequestWhileOneIsDeletingIsSkippedInProgress()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var deleting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Kube.BeforeRequest = async request =>
        {
            if (request.Verb != "delete") return;
            deleting.TrySetResult();
            await release.Task;
        };

        var first = app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "first" });
        await deleting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var second = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "second" });
        release.SetResult();
        using var firstResponse = await first;

        Assert.Equal(Outcomes.InProgress, (await second.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!.Outcome);
        Assert.Equal(Outcomes.Restarted, (await firstResponse.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!.Outcome);
        Assert.Single(app.Kube.Deletes());
    }

    [Fact]
    public async Task LeaseHeldByAnotherReplicaSkipsUntilItExpires()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.Combine(app.Directory, "kubeconfig")));
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "alerthealer-whisker", NamespaceProperty = "alerthealer" },
            Spec = new V1LeaseSpec { HolderIdentity = "alerthealer-other-replica", LeaseDurationSeconds = 120, RenewTime = app.Time.GetUtcNow().UtcDateTime },
        }, "alerthealer");

        await app.PostWebhookAsync(Fixtures.Firing);
        var skipped = await app.WaitForOutcomeAsync(Outcomes.InProgress);
        Assert.Contains("another replica", Assert.Single(skipped.Steps, s => s.Name == "single-flight").Detail);
        Assert.Empty(app.Kube.Deletes());

        // The other replica died: its lease runs out and the re-send acts.
        app.Time.Advance(TimeSpan.FromMinutes(3));
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Single(app.Kube.Deletes());
        Assert.Null(app.Kube.Lease("alerthealer", "alerthealer-whisker")!.Spec.HolderIdentity);
    }

    // Lease expiry as client-go judges it: from when this replica saw the record change, on its
    // own clock. The holder's renewTime comes from another clock and is never compared with it.
    [Theory]
    [InlineData(-60)]
    [InlineData(60)]
    public async Task ALeaseIsLiveWhileItsRecordChangesWhateverTheHoldersClockSays(int holderClockMinutes)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.Combine(app.Directory, "kubeconfig")));
        var holderClock = app.Time.GetUtcNow().AddMinutes(holderClockMinutes).UtcDateTime;
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "alerthealer-whisker", NamespaceProperty = "alerthealer" },
            Spec = new V1LeaseSpec { HolderIdentity = "alerthealer-other-replica", LeaseDurationSeconds = 120, RenewTime = holderClock },
        }, "alerthealer");

        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.InProgress);
        // The holder renews every 90 s by its own clock: live for as long as it does.
        for (var renewal = 1; renewal <= 2; renewal++)
        {
            app.Time.Advance(TimeSpan.FromSeconds(90));
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("alerthealer-whisker", "alerthealer");
            lease.Spec.RenewTime = holderClock.AddSeconds(90 * renewal);
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "alerthealer-whisker", "alerthealer");
            await app.PostWebhookAsync(Fixtures.Firing);
            await app.WaitForOutcomeAsync(Outcomes.InProgress, count: 1 + renewal);
        }
        Assert.Empty(app.Kube.Deletes());

        // The holder stops renewing: 120 s after the last change was seen, the Lease is taken.
        app.Time.Advance(TimeSpan.FromSeconds(121));
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Single(app.Kube.Deletes());
    }
}
