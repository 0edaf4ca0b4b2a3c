using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Tests.HighAvailability;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using AlertHealer.Tests.Storage;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace AlertHealer.Tests.Release;

// The previous release (.ci/previous-release, built from history) and this build as real
// processes on one store: a rolling update on PostgreSQL, an upgrade in place on SQLite, a
// rollback onto the store this build migrated, and copy-store from the old SQLite.
[Collection(HighAvailabilityCollection.Name)]
public sealed class UpgradeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    // The shipped Inbox:PollInterval: how often a replica looks for claims that expired.
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    // Two more Calico workloads for the upgrade in place, each with its own policy.
    private const string ControllersAlert = "CalicoKubeControllersWedged";
    private const string ControllersPod = "calico-kube-controllers-6d5b9c7f8-k2v4p";
    private const string TyphaAlert = "CalicoTyphaWedged";
    private const string TyphaPod = "calico-typha-7c9d8f6b5-m8q3z";
    private const string NeedsHumanIncident = "8a0b1c2d3e4f5004";
    private const string IntentIncident = "8a0b1c2d3e4f5005";
    private const string OpenIncident = "8a0b1c2d3e4f5006";

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
        await using var alertmanager = await FakeAlertmanager.StartAsync();
        var file = Path.Combine(replicas.Directory, "alerthealer.db");
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);
        var controllersUid = replicas.Kube.AddPod(Replicas.Namespace, ControllersPod, new Dictionary<string, string> { ["k8s-app"] = "calico-kube-controllers" }, ready: true, hourAgo).Metadata.Uid;
        var typhaUid = replicas.Kube.AddPod(Replicas.Namespace, TyphaPod, new Dictionary<string, string> { ["k8s-app"] = "calico-typha" }, ready: true, hourAgo).Metadata.Uid;
        void Sqlite(Dictionary<string, string?> s)
        {
            s["AlertHealer__Store__Provider"] = "Sqlite";
            s["AlertHealer__Store__ConnectionString"] = $"Data Source={file}";
            // Long enough that the restart below is still being verified when the old build dies.
            s["AlertHealer__Policies__whisker__VerifyTimeout"] = "00:10:00";
            // Gives up after one restart that did not stick: needs-human, and a page.
            const string C = "AlertHealer__Policies__controllers__";
            s[C + "Match__alertname"] = ControllersAlert;
            s[C + "Target__Namespace"] = Replicas.Namespace;
            s[C + "Target__Selector"] = "k8s-app=calico-kube-controllers";
            s[C + "MaxAttempts"] = "1";
            s[C + "VerifyTimeout"] = "00:00:03";
            // Its DELETE is the one whose answer never arrives.
            const string T = "AlertHealer__Policies__typha__";
            s[T + "Match__alertname"] = TyphaAlert;
            s[T + "Target__Namespace"] = Replicas.Namespace;
            s[T + "Target__Selector"] = "k8s-app=calico-typha";
            s["AlertHealer__Alertmanager__BaseUrl"] = alertmanager.BaseUrl.ToString();
            s["AlertHealer__Alertmanager__Retries"] = "0";
        }

        // The previous release writes: a restart whose verification is pending (nothing replaces
        // the pod yet), a pause, an alert suppressed by it, and an alert no policy matches.
        replicas.Kube.ReplacementPolicy = ReplacementPolicy.None;
        var old = await replicas.StartAsync("alerthealer-old", s =>
        {
            Sqlite(s);
            // The DELETE held below must still be in flight when the process is killed.
            s["AlertHealer__Kubernetes__CallTimeout"] = "00:02:00";
        }, previous);
        await SendAsync(old, Replicas.Incident("8a0b1c2d3e4f5001"));
        var restart = await Replicas.EventuallyAsync(async () => (await old.AuditAsync()).FirstOrDefault(e => e.Outcome == Outcomes.Restarted), Patience, "the old build restarted the pod");
        Assert.Equal(Verifications.Pending, restart.Verification);
        using (var pause = await old.Operator.PostAsync("/policies/whisker/pause", new StringContent("""{"reason":"before the upgrade"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        await SendAsync(old, Replicas.Incident("8a0b1c2d3e4f5002"));
        await SendAsync(old, Replicas.Unmatched("8a0b1c2d3e4f5003"));

        // A restart that did not stick (no replacement within VerifyTimeout) with MaxAttempts 1:
        // the policy needs a human, and the page about it is open.
        await SendAsync(old, Alert(NeedsHumanIncident, ControllersAlert, ControllersPod));
        var raised = await Replicas.EventuallyAsync(() => Task.FromResult(NeedsHumanAlerts(alertmanager).FirstOrDefault()), Patience, "the old build paged for needs-human");
        await Replicas.EventuallyAsync(async () => (await old.AuditAsync()).Count >= 5 ? "decided" : null, Patience, "the old build decided every alert");
        var before = await old.AuditAsync();
        Assert.Equal(["8a0b1c2d3e4f5001", "8a0b1c2d3e4f5002", "8a0b1c2d3e4f5003", NeedsHumanIncident],
            before.Where(e => e.Alert is not null).Select(e => e.Alert!.Fingerprint).Order());
        var stuck = Assert.Single(before, e => e.Alert?.Fingerprint == NeedsHumanIncident);
        Assert.Equal((Outcomes.Restarted, Verifications.NotHealed, controllersUid), (stuck.Outcome, stuck.Verification, stuck.Action!.Uid));
        var pagesBefore = NeedsHumanAlerts(alertmanager).Count;

        // A DELETE whose answer never comes: its intent is recorded, the pod is gone, and the
        // worker waits on it, so the alert after it stays in the inbox. Then the old build dies.
        replicas.Kube.LoseAnswerNext("delete", "pods", stall: true);
        await SendAsync(old, Alert(IntentIncident, TyphaAlert, TyphaPod));
        await replicas.Kube.WaitForRequestAsync(r => r is { Verb: "delete", Resource: "pods", Name: TyphaPod }, Patience);
        await SendAsync(old, Alert(OpenIncident, ControllersAlert, ControllersPod));
        await old.Process.KillAsync();

        // What the file holds: the intent under the dead build's claim, the item nobody took,
        // and the open pages.
        var inbox = await SqliteInboxAsync(file);
        var intentItem = Assert.Single(inbox, i => i.Fingerprint == IntentIncident);
        Assert.Equal(("processing", "alerthealer-old"), (intentItem.State, intentItem.ClaimedBy));
        Assert.Contains(typhaUid, intentItem.Intent ?? "", StringComparison.Ordinal);
        Assert.Equal("pending", Assert.Single(inbox, i => i.Fingerprint == OpenIncident).State);
        Assert.All(inbox.Where(i => i.Fingerprint is not (IntentIncident or OpenIncident)), i => Assert.Equal("done", i.State));
        Assert.Equal(["escalation:controllers:needs-human:calico-system/k8s-app=calico-kube-controllers",
                "escalation:controllers:restart-ineffective:calico-system/k8s-app=calico-kube-controllers"],
            await SqliteEscalationsAsync(file));
        // The new build may take the intent over only once the dead build's claim and Lease lapsed.
        var lease = replicas.Kube.Lease(Replicas.LeaseNamespace, "alerthealer-typha")!.Spec;
        var leaseLapses = new DateTimeOffset(DateTime.SpecifyKind(lease.RenewTime!.Value, DateTimeKind.Utc)).AddSeconds(lease.LeaseDurationSeconds!.Value);
        var takeover = new[] { intentItem.ClaimedUntil!.Value, leaseLapses }.Max();

        // This build opens the file: nothing lost, the pause and cooldown hold, the verification
        // resumes. Replacements of whisker and typha come up now, so both restarts verify healed.
        replicas.Kube.AddPod(Replicas.Namespace, "whisker-6f7d9c8b4-new01", new Dictionary<string, string> { ["k8s-app"] = "whisker" }, ready: true, DateTimeOffset.UtcNow);
        replicas.Kube.AddPod(Replicas.Namespace, "calico-typha-7c9d8f6b5-new01", new Dictionary<string, string> { ["k8s-app"] = "calico-typha" }, ready: true, DateTimeOffset.UtcNow);
        var upgraded = await replicas.StartAsync("alerthealer-new", Sqlite);
        var healed = await Replicas.EventuallyAsync(async () => await upgraded.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{restart.Id}", Json.Options) is { Verification: Verifications.Healed } e ? e : null,
            Patience, "the pending verification resumed in the new build");
        Assert.Equal(restart.Action!.Uid, healed.Action!.Uid);

        // The open page is kept firing: re-posted as the same alert, from when it was raised.
        var reposted = await Replicas.EventuallyAsync(() => Task.FromResult(NeedsHumanAlerts(alertmanager).Skip(pagesBefore).FirstOrDefault()), Patience, "the new build re-posted the open page");
        Assert.Equal(FakeAlertmanager.Labels(raised), FakeAlertmanager.Labels(reposted));
        Assert.Equal(Time(raised, "startsAt"), Time(reposted, "startsAt"));
        Assert.True(Time(reposted, "endsAt") > DateTimeOffset.UtcNow, $"the page should keep firing, endsAt {Time(reposted, "endsAt"):O}");

        // The item the old build never took is decided, and needs-human still holds it back.
        var waited = await Replicas.EventuallyAsync(async () => (await upgraded.AuditAsync($"&fingerprint={OpenIncident}")) is [var e, ..] ? e : null, Patience, "the new build decided the open item");
        Assert.Equal(Outcomes.NeedsHuman, waited.Outcome);
        Assert.Contains(waited.Steps, s => s is { Name: "needs-human", Result: "waiting" });

        // The intent is re-sent exactly, once the claim and the Lease lapsed, and recorded once.
        var resumed = await Replicas.EventuallyAsync(async () => (await upgraded.AuditAsync($"&fingerprint={IntentIncident}")) is [var e, ..] ? e : null,
            takeover - DateTimeOffset.UtcNow + PollInterval + Patience, "the new build resumed the recorded intent");
        Assert.Equal(Outcomes.Restarted, resumed.Outcome);
        Assert.Equal((TyphaPod, typhaUid), (resumed.Action!.Pod, resumed.Action.Uid));
        Assert.Contains(resumed.Steps, s => s is { Name: "intent", Result: "resumed" });
        Assert.True(resumed.Time >= takeover, $"resumed at {resumed.Time:O}, before the dead build's claim and Lease lapsed at {takeover:O}");
        var typhaDeletes = replicas.Kube.Requests.Where(r => r is { Verb: "delete", Resource: "pods", Name: TyphaPod }).ToList();
        Assert.Equal([200, 404], typhaDeletes.Select(d => d.StatusCode));
        Assert.All(typhaDeletes, d => Assert.Contains(typhaUid, d.Body));
        await Replicas.EventuallyAsync(async () => await upgraded.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{resumed.Id}", Json.Options) is { Verification: Verifications.Healed } e ? e : null,
            Patience, "the resumed restart was verified");

        // Needs-human holds until reset; the reset ends both pages.
        var policies = (await upgraded.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies;
        var controllers = policies.Single(p => p.Name == "controllers");
        Assert.True(controllers.NeedsHuman);
        Assert.Equal(1, controllers.ConsecutiveRestarts);
        var pagesBeforeReset = alertmanager.AlertPosts.Count;
        using (var reset = await upgraded.Operator.PostAsync("/policies/controllers/reset", null))
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var ends = alertmanager.AlertPosts.Skip(pagesBeforeReset).SelectMany(p => FakeAlertmanager.Alerts(p)).Select(a => a!)
            .Where(a => FakeAlertmanager.Labels(a)["policy"] == "controllers").ToList();
        Assert.Equal(["needs-human", "restart-ineffective"], ends.Select(a => FakeAlertmanager.Labels(a)["reason"]).Order());
        Assert.All(ends, a => Assert.True(Time(a, "endsAt") <= DateTimeOffset.UtcNow, $"the page should end now, endsAt {Time(a, "endsAt"):O}"));
        Assert.Empty(await SqliteEscalationsAsync(file));
        policies = (await upgraded.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies;
        Assert.False(policies.Single(p => p.Name == "controllers").NeedsHuman);

        var whisker = policies.Single(p => p.Name == "whisker");
        Assert.True(whisker.Paused);
        Assert.True(whisker.CooldownUntil > DateTimeOffset.UtcNow.AddMinutes(5), $"cooldown until {whisker.CooldownUntil}");
        using (var resume = await upgraded.Operator.PostAsync("/policies/whisker/resume", new StringContent("{}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);

        // GET /audit pages across the old entries and the new ones.
        var all = await upgraded.AuditAsync();
        Assert.Equal(before.Select(e => e.Id), all.Where(e => e.Id <= before[0].Id).Select(e => e.Id));
        Assert.Equal([Outcomes.PolicyResumed, Outcomes.PolicyReset, Outcomes.Restarted, Outcomes.NeedsHuman],
            all.Where(e => e.Id > before[0].Id).Select(e => e.Outcome));
        Assert.Equal(all.Select(e => e.Id), await PagesAsync(upgraded, limit: 2));
        Assert.Single(all, e => e.Alert?.Fingerprint == IntentIncident);
        // One DELETE that took effect per incident: the lost answer's, not the re-sent one.
        Assert.Equal([ControllersPod, TyphaPod, Fixtures.WedgedPod], replicas.Kube.Deletes().Select(d => d.Name).Order());
        Assert.All(await SqliteInboxAsync(file), i => Assert.Equal("done", i.State));

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

    // A firing alert of its own incident, starting now, about pod under another alertname.
    private static string Alert(string fingerprint, string alertname, string pod) => Fixtures.Edit(a =>
    {
        a["fingerprint"] = fingerprint;
        a["startsAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        a["labels"]!["alertname"] = alertname;
        a["labels"]!["pod"] = pod;
    });

    private static List<JsonNode> NeedsHumanAlerts(FakeAlertmanager alertmanager) =>
        [.. alertmanager.AlertPosts.SelectMany(p => FakeAlertmanager.Alerts(p)).Select(a => a!).Where(a => FakeAlertmanager.Labels(a)["reason"] == "needs-human")];

    private static DateTimeOffset Time(JsonNode alert, string field) => DateTimeOffset.Parse(alert[field]!.GetValue<string>(), CultureInfo.InvariantCulture);

    // The inbox rows as the SQLite file has them, outside either build.
    private static async Task<List<StoredItem>> SqliteInboxAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT incident_key, state, claimed_by, claimed_until_ms, intent FROM inbox ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<StoredItem>();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredItem(reader.GetString(0).Split('|')[0], reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return rows;
    }

    // The keys of the open escalations the SQLite file holds.
    private static async Task<List<string>> SqliteEscalationsAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key FROM state WHERE key LIKE 'escalation:%' ORDER BY key";
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        return keys;
    }

    private sealed record StoredItem(string Fingerprint, string State, string? ClaimedBy, DateTimeOffset? ClaimedUntil, string? Intent);

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
