using System.Net.Http.Json;
using AlertHealer.Heartbeat;
using AlertHealer.Policies;
using AlertHealer.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AlertHealer.Tests.HighAvailability;

// The heartbeat is one row of the shared store: whichever replica Alertmanager reaches, every
// replica reports the same detection path, and a silence is reported by one Event, not one per
// replica. Real processes on one PostgreSQL, real time, a limit of 15 s.
[Collection(HighAvailabilityCollection.Name)]
public sealed class HeartbeatReplicaTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static void FastHeartbeat(Dictionary<string, string?> s)
    {
        // Long enough that a slow first request on a loaded machine still finds it fresh.
        s["AlertHealer__Heartbeat__ExpectedInterval"] = "00:00:05";
        s["AlertHealer__Heartbeat__StaleAfter"] = "00:00:15";
    }

    private static async Task<DetectionView> DetectionAsync(Replica replica) =>
        (await replica.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Detection!;

    [Fact]
    public async Task AHeartbeatThroughOneReplicaIsSeenByTheOtherAndItsSilenceIsReportedOnce()
    {
        await using var replicas = await Replicas.StartAsync();
        var started = await Task.WhenAll(replicas.StartAsync("alerthealer-a", FastHeartbeat), replicas.StartAsync("alerthealer-b", FastHeartbeat));
        var (a, b) = (started[0], started[1]);

        (await a.PostAlertAsync(Heartbeat.Heartbeats.FromAlertmanager())).EnsureSuccessStatusCode();

        var throughB = await DetectionAsync(b);
        Assert.Equal((DetectionView.Ok, "alertmanager", Heartbeat.Heartbeats.Group), (throughB.Status, throughB.Sender, throughB.RuleGroup));
        Assert.Equal(throughB.LastSeenAt, (await DetectionAsync(a)).LastSeenAt);

        // Both replicas check the same row every 2.5 s; the first to see it stale marks it.
        bool Silence(k8s.Models.Eventsv1Event e) =>
            e.Reason == HeartbeatMonitor.StaleReason && e.Note.Contains(" since ", StringComparison.Ordinal);
        await Replicas.EventuallyAsync(() => Task.FromResult(replicas.Kube.Events(Replicas.LeaseNamespace).Any(Silence) ? "seen" : null),
            Patience, "a stale Event");
        await Task.Delay(TimeSpan.FromSeconds(6));

        var warning = Assert.Single(replicas.Kube.Events(Replicas.LeaseNamespace), Silence);
        output.WriteLine($"{warning.ReportingInstance}: {warning.Note}");
        Assert.Contains(warning.ReportingInstance, new[] { "alerthealer-a", "alerthealer-b" });
        Assert.Equal(DetectionView.Stale, (await DetectionAsync(a)).Status);
        Assert.Equal(DetectionView.Stale, (await DetectionAsync(b)).Status);
    }
}
