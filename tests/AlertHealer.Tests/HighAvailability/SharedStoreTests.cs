using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.HighAvailability;

// Two replicas behind one Service share the database: whichever one Alertmanager reaches, an
// incident is decided once and every replica serves the same audit log and policy state.
[Collection(HighAvailabilityCollection.Name)]
public sealed class SharedStoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FiftyDeliveriesSpreadOverTwoReplicasDeleteOnce()
    {
        await using var replicas = await Replicas.StartAsync();
        var (a, b) = Pair(await replicas.StartAsync("alerthealer-a", "alerthealer-b"));
        var alert = Replicas.Incident("5a0b1c2d3e4f5061");

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? a : b).PostAlertAsync(alert)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var restarted = await Replicas.EventuallyAsync(async () => (await b.AuditAsync()).SingleOrDefault(e => e.Verification == Verifications.Healed),
            Patience, "the restart was verified");
        Assert.Single(replicas.Kube.Deletes());
        Assert.Equal(Outcomes.Restarted, restarted.Outcome);
        Assert.Equal(Fixtures.WedgedPod, restarted.Action!.Pod);

        // The same entries through either replica, every re-send counted once.
        var throughA = await a.AuditAsync();
        var throughB = await b.AuditAsync();
        Assert.Equal(Serialized(throughA), Serialized(throughB));
        Assert.Single(throughA, e => e.Outcome == Outcomes.Restarted);
        Assert.Equal(49, throughA.Sum(e => e.Duplicates));
        Assert.Equal(await a.AuditTextAsync(), await b.AuditTextAsync());
        Assert.All(await replicas.InboxAsync(), row => Assert.Equal("done", row.State));
    }

    // A manual restart through A is one entry that B serves as A does, and its cooldown holds B
    // back from restarting again for a new incident.
    [Fact]
    public async Task ARestartThroughOneReplicaCoolsDownTheOther()
    {
        await using var replicas = await Replicas.StartAsync();
        var (a, b) = Pair(await replicas.StartAsync("alerthealer-a", "alerthealer-b"));

        using var manual = await a.RemediateAsync("whisker UI blank");
        Assert.Equal(HttpStatusCode.OK, manual.StatusCode);
        var restart = (await manual.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
        Assert.Equal(Outcomes.Restarted, restart.Outcome);
        await Replicas.EventuallyAsync(async () => await a.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{restart.AuditId}", Json.Options) is { Verification: Verifications.Healed } e ? e : null,
            Patience, "the manual restart was verified");

        // An entry written through A is read through B, the same to the byte.
        Assert.Equal(await a.AuditTextAsync($"/audit/{restart.AuditId}"), await b.AuditTextAsync($"/audit/{restart.AuditId}"));
        var whisker = (await b.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies.Single();
        Assert.Equal(1, whisker.ConsecutiveRestarts);
        Assert.True(whisker.CooldownUntil > DateTimeOffset.UtcNow.AddMinutes(9), $"cooldown until {whisker.CooldownUntil}");

        using var sent = await b.PostAlertAsync(Replicas.Incident("6b1c2d3e4f506172"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var decided = await Replicas.EventuallyAsync(async () => (await b.AuditAsync("&fingerprint=6b1c2d3e4f506172")) is [var first, ..] ? first : null,
            Patience, "the new incident was decided");

        Assert.Equal(Outcomes.Cooldown, decided.Outcome);
        Assert.Single(replicas.Kube.Deletes());
    }

    private static (Replica, Replica) Pair(Replica[] started) => (started[0], started[1]);

    private static string Serialized(IReadOnlyList<AuditEntry> entries) => System.Text.Json.JsonSerializer.Serialize(entries, Json.Options);
}
