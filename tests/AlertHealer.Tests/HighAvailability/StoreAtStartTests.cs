using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlertHealer.Audit;
using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure.Postgres;
using Xunit.Abstractions;

namespace AlertHealer.Tests.HighAvailability;

// A replica that starts while its database is down or refuses the login (a node drain that moved
// both, a role not created yet) stays up and not ready, and is ready within seconds of the
// database's return: no crash, so no CrashLoopBackOff to wait out.
[Collection(HighAvailabilityCollection.Name)]
public sealed class StoreAtStartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AReplicaStartedWhilePostgresIsDownWaitsForItThenMigratesAndActs()
    {
        var server = await PostgresServer.StartNewAsync();
        await using var replicas = await Replicas.StartAsync(server);
        await server.StopAsync();

        await WaitsThenRecoversAsync(replicas, "the database cannot be reached", server.StartAsync);
    }

    [Fact]
    public async Task AReplicaWhoseLoginIsRefusedAtStartWaitsForItThenMigratesAndActs()
    {
        var server = await PostgresServer.StartNewAsync();
        await using var replicas = await Replicas.StartAsync(server);
        await server.RefuseLoginAsync(true);

        await WaitsThenRecoversAsync(replicas, "the database refused the login", () => server.RefuseLoginAsync(false));
    }

    private async Task WaitsThenRecoversAsync(Replicas replicas, string reason, Func<Task> restore)
    {
        var a = await replicas.StartAsync("alerthealer-a");

        using (var alive = await a.Anonymous.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        using (var ready = await a.Anonymous.GetAsync("/readyz"))
        {
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var readiness = JsonDocument.Parse(body).RootElement;
            Assert.Equal("not-ready", readiness.GetProperty("status").GetString());
            Assert.Contains(reason, readiness.GetProperty("store").GetString(), StringComparison.Ordinal);
        }
        using (var refused = await a.PostAlertAsync(Replicas.Incident("0a1b2c3d4e5f6071")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        // At least two attempts, each one line without a stack trace.
        await Replicas.EventuallyAsync(() => Task.FromResult(a.Process.Output.Contains("Store still not reachable (attempt 2", StringComparison.Ordinal) ? "" : null),
            TimeSpan.FromSeconds(20), "a second attempt was logged");
        Assert.Empty(replicas.Kube.Deletes());
        // One Warning Event on the replica's own pod, not one per attempt.
        var warning = Assert.Single(replicas.Kube.Events(Replicas.LeaseNamespace), e => e.Reason == StorageStartup.EventReason);
        Assert.Equal("Warning", warning.Type);
        Assert.Equal("alerthealer-a", warning.Regarding.Name);
        Assert.Contains(reason, warning.Note, StringComparison.Ordinal);

        await restore();
        var since = Stopwatch.StartNew();
        await Replicas.EventuallyAsync(async () =>
        {
            using var ready = await a.Anonymous.GetAsync("/readyz");
            return ready.StatusCode == HttpStatusCode.OK ? "" : null;
        }, TimeSpan.FromSeconds(20), "/readyz answered 200 after the database returned");
        output.WriteLine($"ready {since.Elapsed.TotalSeconds:F1} s after the database returned");

        // The same process, started once, migrated the empty database only now.
        Assert.False(a.Process.HasExited);
        Assert.Single(Regex.Matches(a.Process.Output, "Application started"));
        Assert.Matches($@"Audit store ready in PostgreSQL database \S+ \(schema 0 -> {PostgresMigrations.Latest}\)", a.Process.Output);
        var log = a.Process.Output;
        output.WriteLine(string.Join('\n', log.Split('\n').Where(l => l.Contains("Store ", StringComparison.Ordinal))));
        Assert.DoesNotContain("Hosting failed to start", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Split('\n'), l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains(" at Npgsql.", StringComparison.Ordinal));

        using (var accepted = await a.PostAlertAsync(Replicas.Incident("1b2c3d4e5f607182")))
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var restarted = await Replicas.EventuallyAsync(async () => (await a.AuditAsync()).FirstOrDefault(e => e.Outcome == Outcomes.Restarted),
            TimeSpan.FromSeconds(30), "the alert sent after the database returned was acted on");
        Assert.Equal("1b2c3d4e5f607182", restarted.Alert!.Fingerprint);
        Assert.Single(replicas.Kube.Deletes());
    }
}
