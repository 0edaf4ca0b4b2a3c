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
}
