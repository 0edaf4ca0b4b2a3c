using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using Xunit.Abstractions;

namespace AlertHealer.Tests.HighAvailability;

// A replica killed (SIGKILL, as a node dies) in the middle of a remediation: the other one
// finishes it, once, with the shipped claim, Lease and poll timings.
[Collection(HighAvailabilityCollection.Name)]
public sealed class TakeoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AReplicaKilledHoldingTheClaimAndLeaseIsTakenOverWithin30Seconds()
    {
        await using var replicas = await Replicas.StartAsync();
        // A long call timeout, so the DELETE is still in flight when the replica is killed.
        var started = await Task.WhenAll(new[] { "alerthealer-a", "alerthealer-b" }.Select(id => replicas.StartAsync(id, s => s["AlertHealer__Kubernetes__CallTimeout"] = "00:00:45")));
        var deleteSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        replicas.Kube.BeforeRequest = r =>
        {
            if (r.Is("delete", "pods")) deleteSent.TrySetResult();
            return Task.CompletedTask;
        };
        // The API server holds the first DELETE: sent, intent stored, no answer yet.
        replicas.Kube.DelayNext("delete", "pods", TimeSpan.FromSeconds(60));

        using var sent = await started[0].PostAlertAsync(Replicas.Incident("7c2d3e4f50617283"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        await deleteSent.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Whoever holds the item holds the Lease, and is killed with both.
        var item = Assert.Single(await replicas.InboxAsync());
        Assert.Equal("processing", item.State);
        Assert.True(item.HasIntent, "the intent is stored before the DELETE is sent");
        var holder = Assert.Single(started, r => r.Identity == item.ClaimedBy);
        var survivor = Assert.Single(started, r => r != holder);
        Assert.Equal(holder.Identity, replicas.Kube.Lease(Replicas.LeaseNamespace, Replicas.Lease)?.Spec.HolderIdentity);
        Assert.True(item.ClaimedUntil > DateTimeOffset.UtcNow, $"the claim is live (until {item.ClaimedUntil:O})");
        await holder.Process.KillAsync();
        var sinceKill = Stopwatch.StartNew();

        var restarted = await Replicas.EventuallyAsync(async () => (await survivor.AuditAsync()).FirstOrDefault(e => e.Outcome == Outcomes.Restarted),
            TimeSpan.FromSeconds(45), "the survivor recorded the restart");
        var takeover = sinceKill.Elapsed;
        output.WriteLine($"{survivor.Identity} completed the incident {takeover.TotalSeconds:F1} s after {holder.Identity} was killed");

        Assert.True(takeover < TimeSpan.FromSeconds(30), $"takeover took {takeover}");
        Assert.Single(replicas.Kube.Deletes());
        Assert.Single(await survivor.AuditAsync(), e => e.Outcome == Outcomes.Restarted);
        Assert.Equal(Fixtures.WedgedPod, restarted.Action!.Pod);
        Assert.Contains(restarted.Steps, s => s is { Name: "intent", Result: "resumed" });
        Assert.Contains("Took back 1 inbox items whose claim expired", survivor.Process.Output, StringComparison.Ordinal);
        await Replicas.EventuallyAsync(async () => await survivor.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{restarted.Id}", Json.Options) is { Verification: Verifications.Healed } e ? e : null,
            TimeSpan.FromSeconds(30), "the restart was verified");
    }

    [Fact]
    public async Task VerificationLeftPendingByAKilledReplicaIsSettledByTheOther()
    {
        await using var replicas = await Replicas.StartAsync();
        var started = await replicas.StartAsync("alerthealer-a", "alerthealer-b");
        var (a, b) = (started[0], started[1]);
        replicas.Kube.ReplacementPolicy = ReplacementPolicy.RecreateNotReady;

        using var manual = await a.RemediateAsync("whisker UI blank");
        Assert.Equal(HttpStatusCode.OK, manual.StatusCode);
        var restart = (await manual.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
        Assert.Equal(Outcomes.Restarted, restart.Outcome);
        // A dies while it waits for the replacement to become Ready.
        await a.Process.KillAsync();
        var pending = await b.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{restart.AuditId}", Json.Options);
        Assert.Equal(Verifications.Pending, pending!.Verification);
        var replacement = Assert.Single(replicas.Kube.Pods(Replicas.Namespace), p => p.Metadata.Labels["k8s-app"] == "whisker");
        replicas.Kube.SetReady(Replicas.Namespace, replacement.Metadata.Name, true);
        var sinceReady = Stopwatch.StartNew();

        var settled = await Replicas.EventuallyAsync(async () => await b.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{restart.AuditId}", Json.Options) is { Verification: not Verifications.Pending } e ? e : null,
            TimeSpan.FromSeconds(40), "the other replica settled the verification");
        output.WriteLine($"{b.Identity} settled the verification {sinceReady.Elapsed.TotalSeconds:F1} s after the replacement became Ready");

        Assert.Equal(Verifications.Healed, settled.Verification);
        Assert.Contains(replacement.Metadata.Name, settled.VerificationDetail, StringComparison.Ordinal);
        Assert.Single(replicas.Kube.Deletes());
    }
}
