using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Tests.HighAvailability;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using AlertHealer.Tests.Storage;
using Xunit.Abstractions;

namespace AlertHealer.Tests.Release;

// The previous release (.ci/previous-release, built from history) and this build as real
// processes on one store: a rolling update on PostgreSQL, an upgrade in place on SQLite, a
// rollback onto the store this build migrated, and copy-store from the old SQLite.
[Collection(HighAvailabilityCollection.Name)]
public sealed class UpgradeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task ARollingUpdateFromThePreviousReleaseKeepsServingOnOneDatabase()
    {
        var clock = Stopwatch.StartNew();
        var previous = await PreviousRelease.DllAsync();
        await using var replicas = await Replicas.StartAsync();

        // A, the previous release, migrates the empty database and serves alone.
        var a = await replicas.StartAsync("alerthealer-old", dll: previous);
        await SendAsync(a, Replicas.Incident("7a0b1c2d3e4f5001"));
        await HealedAsync(a, "7a0b1c2d3e4f5001");

        // B, this build, starts on the same database (migrating forward) while A keeps serving.
        var b = await replicas.StartAsync("alerthealer-new");
        Assert.Contains($"alerthealer_build_info{{version=\"{ReleaseFiles.Version}\"", await b.Anonymous.GetStringAsync("/metrics"), StringComparison.Ordinal);
        var fingerprints = Enumerable.Range(0, 6).Select(i => $"7a0b1c2d3e4f51{i:D2}").ToList();
        var sends = fingerprints.SelectMany((f, i) => new[] { SendAsync(a, Replicas.Incident(f)), SendAsync(b, Replicas.Incident(f)), SendAsync(i % 2 == 0 ? a : b, Replicas.Unmatched(f + "ff")) });
        await Task.WhenAll(sends);
        await Replicas.EventuallyAsync(async () => (await replicas.InboxAsync()).All(r => r.State == "done") ? "done" : null, Patience, "every acknowledged alert was decided");

        // Both read the same audit log, whichever build wrote each entry.
        Assert.Equal(await a.AuditTextAsync(), await b.AuditTextAsync());

        // The rollout ends: A gets SIGTERM, B goes on alone.
        Assert.Equal(0, await a.Process.TerminateAsync(TimeSpan.FromSeconds(60)));
        await SendAsync(b, Replicas.Incident("7a0b1c2d3e4f5201"));
        await Replicas.EventuallyAsync(async () => (await replicas.InboxAsync()).All(r => r.State == "done") ? "done" : null, Patience, "B decided the last alert");

        var entries = await b.AuditAsync();
        foreach (var f in fingerprints.Append("7a0b1c2d3e4f5001").Append("7a0b1c2d3e4f5201"))
            Assert.Contains(entries, e => e.Alert?.Fingerprint == f);
        Assert.Single(replicas.Kube.Deletes());
        Assert.Single(entries, e => e.Outcome == Outcomes.Restarted);

        // Rollback: the previous release starts again on the database this build migrated, and serves it.
        var again = await replicas.StartAsync("alerthealer-rollback", dll: previous);
        Assert.Equal(await b.AuditTextAsync(), await again.AuditTextAsync());
        await SendAsync(again, Replicas.Incident("7a0b1c2d3e4f5301"));
        await Replicas.EventuallyAsync(async () => (await replicas.InboxAsync()).All(r => r.State == "done") ? "done" : null, Patience, "the rolled-back build decided an alert");
        Assert.Single(replicas.Kube.Deletes());
        output.WriteLine($"rolling update and rollback: {clock.Elapsed} (building the previous release: {PreviousRelease.BuildTime})");
    }

    [Fact]
    public async Task AnUpgradeInPlaceOnSqliteKeepsEverythingAndCopiesIntoPostgres()
    {
        var clock = Stopwatch.StartNew();
        var previous = await PreviousRelease.DllAsync();
        await using var replicas = await Replicas.StartAsync();
        var file = Path.Combine(replicas.Directory, "alerthealer.db");
        void Sqlite(Dictionary<string, string?> s)
        {
            s["AlertHealer__Store__Provider"] = "Sqlite";
            s["AlertHealer__Store__ConnectionString"] = $"Data Source={file}";
            // Long enough that the restart below is still being verified when the old build dies.
            s["AlertHealer__Policies__whisker__VerifyTimeout"] = "00:10:00";
        }

        // The previous release writes: a restart whose verification is pending (nothing replaces
        // the pod yet), a pause, an alert suppressed by it, and an alert no policy matches.
        replicas.Kube.ReplacementPolicy = ReplacementPolicy.None;
        var old = await replicas.StartAsync("alerthealer-old", Sqlite, previous);
        await SendAsync(old, Replicas.Incident("8a0b1c2d3e4f5001"));
        var restart = await Replicas.EventuallyAsync(async () => (await old.AuditAsync()).FirstOrDefault(e => e.Outcome == Outcomes.Restarted), Patience, "the old build restarted the pod");
        Assert.Equal(Verifications.Pending, restart.Verification);
        using (var pause = await old.Operator.PostAsync("/policies/whisker/pause", new StringContent("""{"reason":"before the upgrade"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        await SendAsync(old, Replicas.Incident("8a0b1c2d3e4f5002"));
        await SendAsync(old, Replicas.Unmatched("8a0b1c2d3e4f5003"));
        await Replicas.EventuallyAsync(async () => (await old.AuditAsync()).Count >= 4 ? "decided" : null, Patience, "the old build decided every alert");
        var before = await old.AuditAsync();
        await old.Process.KillAsync();

        // This build opens the file: nothing lost, the pause and cooldown hold, the verification resumes.
        replicas.Kube.AddPod(Replicas.Namespace, "whisker-6f7d9c8b4-new01", new Dictionary<string, string> { ["k8s-app"] = "whisker" }, ready: true, DateTimeOffset.UtcNow);
        var upgraded = await replicas.StartAsync("alerthealer-new", Sqlite);
        var healed = await Replicas.EventuallyAsync(async () => await upgraded.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{restart.Id}", Json.Options) is { Verification: Verifications.Healed } e ? e : null,
            Patience, "the pending verification resumed in the new build");
        Assert.Equal(restart.Action!.Uid, healed.Action!.Uid);
        var whisker = (await upgraded.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies.Single();
        Assert.True(whisker.Paused);
        Assert.True(whisker.CooldownUntil > DateTimeOffset.UtcNow.AddMinutes(5), $"cooldown until {whisker.CooldownUntil}");
        using (var resume = await upgraded.Operator.PostAsync("/policies/whisker/resume", new StringContent("{}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);

        // GET /audit pages across the old entries and the new one.
        var all = await upgraded.AuditAsync();
        Assert.Equal(before.Count + 1, all.Count);
        Assert.Equal(before.Select(e => e.Id), all.Skip(1).Select(e => e.Id));
        Assert.Equal(all.Select(e => e.Id), await PagesAsync(upgraded, limit: 2));
        Assert.Single(replicas.Kube.Deletes());

        // Rollback: the previous release opens the file this build migrated and serves it.
        await upgraded.Process.KillAsync();
        var rolledBack = await replicas.StartAsync("alerthealer-rollback", Sqlite, previous);
        Assert.Equal(all.Select(e => e.Id), (await rolledBack.AuditAsync()).Select(e => e.Id));
        await rolledBack.Process.KillAsync();

        // copy-store: the old build's file into PostgreSQL, by this build.
        var copy = await AppProcess.RunToExitAsync(new Dictionary<string, string?>(), urls: null,
            arguments: ["copy-store", "--from", file, "--to", replicas.ConnectionString]);
        Assert.True(copy.ExitCode == 0, copy.Output);
        Assert.Equal((long)all.Count, await Postgres.ScalarAsync(replicas.ConnectionString, "SELECT count(*) FROM audit"));
        var onPostgres = await replicas.StartAsync("alerthealer-postgres");
        Assert.Equal(all.Select(e => e.Id), (await onPostgres.AuditAsync()).Select(e => e.Id));
        output.WriteLine($"upgrade in place, rollback and copy-store: {clock.Elapsed} (building the previous release: {PreviousRelease.BuildTime})");
    }

    private static async Task SendAsync(Replica replica, string alert)
    {
        using var response = await replica.PostAlertAsync(alert);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<AuditEntry> HealedAsync(Replica replica, string fingerprint) =>
        Replicas.EventuallyAsync(async () => (await replica.AuditAsync($"&fingerprint={fingerprint}")).FirstOrDefault(e => e.Verification == Verifications.Healed),
            Patience, $"the restart for {fingerprint} was verified");

    private static async Task<List<long>> PagesAsync(Replica replica, int limit)
    {
        var ids = new List<long>();
        string? cursor = null;
        do
        {
            var page = (await replica.Reader.GetFromJsonAsync<AuditPage>($"/audit?limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Json.Options))!;
            ids.AddRange(page.Items.Select(e => e.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return ids;
    }
}
