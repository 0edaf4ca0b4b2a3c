using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using AlertHealer.Tests.Infrastructure.Postgres;
using Npgsql;
using Xunit.Abstractions;

namespace AlertHealer.Tests.HighAvailability;

// A replica that stalls (SIGSTOP, as in a long GC pause or a frozen node) or is cut off while it
// owns work, is taken over, and then wakes up: it changes nothing for the work it lost. Each
// replica is frozen or cut at a known request; the other's takeover is seen in the store first.
[Collection(HighAvailabilityCollection.Name)]
public sealed class FencingTests(ITestOutputHelper output)
{
    private const string Fenced = "this replica records nothing for it";

    // Short claims and Leases so takeovers happen within seconds; a long call timeout so a
    // frozen replica reads the answer the API server sent before it froze.
    private static void Quick(Dictionary<string, string?> s)
    {
        s["AlertHealer__Inbox__ClaimDuration"] = "00:00:03";
        s["AlertHealer__Inbox__PollInterval"] = "00:00:01";
        s["AlertHealer__Kubernetes__LeaseDuration"] = "00:00:05";
        s["AlertHealer__Kubernetes__CallTimeout"] = "00:00:45";
        // The preflight lists the same pods at start: a freeze armed on that list must meet the decision's.
        s["AlertHealer__Preflight__Enabled"] = "false";
    }

    [Fact]
    public async Task AReplicaThatWakesAfterItsDeleteWasTakenOverRecordsNothingAndSendsNoEvent()
    {
        await using var replicas = await Replicas.StartAsync();
        var a = await replicas.StartAsync("alerthealer-a", Quick);
        using var frozen = new Freezer(a);
        // A freezes once its DELETE has reached the API server, before it reads the answer.
        replicas.Kube.BeforeRequest = r =>
        {
            if (r.Is("delete", "pods")) frozen.Once();
            return Task.CompletedTask;
        };

        using (var sent = await a.PostAlertAsync(Replicas.Incident("6a1b2c3d4e5f6071"))) Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        await frozen.Frozen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var b = await replicas.StartAsync("alerthealer-b", Quick);
        var restarted = await RestartRecordedAsync(b);
        Assert.Contains(restarted.Steps, s => s is { Name: "intent", Result: "resumed" });
        await EventRecordedAsync(replicas);

        frozen.Thaw();
        await FencedAsync(a, "decision");

        // One incident, one restart: B's entry only, one Event, the backoff counted once.
        Assert.Equal(restarted.Id, Assert.Single(await b.AuditAsync()).Id);
        Assert.Single(RestartEvents(replicas));
        var whisker = (await b.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies.Single();
        Assert.Equal(1, whisker.ConsecutiveRestarts);
        // Two DELETEs reached the API server, both of the recorded intent: A's, and B's re-send (404).
        var deletes = DeleteRequests(replicas);
        Assert.Equal(2, deletes.Count);
        Assert.Equal(200, deletes[0].StatusCode);
        Assert.True(deletes[1].StatusCode is 404 or 409, $"the re-sent DELETE was answered {deletes[1].StatusCode}");
        Assert.All(deletes, d => Assert.Contains(restarted.Action!.Uid, d.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AReplicaThatWakesMidDecisionAfterTheIncidentWasConcludedSendsNothingAndRecordsNothing()
    {
        await using var replicas = await Replicas.StartAsync();
        var a = await replicas.StartAsync("alerthealer-a", Quick);
        using var frozen = new Freezer(a);
        // A freezes once it has asked for the whisker pods, before it records any intent.
        replicas.Kube.BeforeRequest = r =>
        {
            if (r.Is("list", "pods") && r.LabelSelector?.Contains("whisker", StringComparison.Ordinal) == true) frozen.Once();
            return Task.CompletedTask;
        };

        var incident = Fixtures.NewIncident("6b2c3d4e5f607182", startsAt: DateTimeOffset.UtcNow);
        using (var sent = await a.PostAlertAsync(incident)) Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        await frozen.Frozen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var b = await replicas.StartAsync("alerthealer-b", Quick);
        var restarted = await RestartRecordedAsync(b);
        await EventRecordedAsync(replicas);

        frozen.Thaw();
        await FencedAsync(a, "intent");

        // No stale skipped-already-replaced, no second DELETE: the incident has B's entry only.
        Assert.Equal(restarted.Id, Assert.Single(await b.AuditAsync()).Id);
        Assert.Equal([200], DeleteRequests(replicas).Select(d => d.StatusCode));
        Assert.Single(RestartEvents(replicas));
    }

    [Fact]
    public async Task AReplicaCutFromTheDatabaseWhileHoldingAClaimIsTakenOverAndItsLateDecisionIsRefused()
    {
        await using var replicas = await Replicas.StartAsync();
        var shared = new NpgsqlConnectionStringBuilder(replicas.ConnectionString);
        await using var partition = new TcpProxy(shared.Port);
        var a = await replicas.StartAsync("alerthealer-a", s =>
        {
            Quick(s);
            s["AlertHealer__Store__ConnectionString"] = new NpgsqlConnectionStringBuilder(replicas.ConnectionString) { Port = partition.Port }.ConnectionString;
        });
        // The API server holds A's DELETE while A is cut from the database.
        var delete = HoldFirstDelete(replicas);

        using (var sent = await a.PostAlertAsync(Replicas.Incident("6c3d4e5f60718293"))) Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        await delete.Held.WaitAsync(TimeSpan.FromSeconds(30));
        partition.Partitioned = true;
        var claimedByA = Assert.Single(await replicas.InboxAsync()).Attempts;
        var b = await replicas.StartAsync("alerthealer-b", Quick);
        // B's claims are brief (A still holds the Lease, so B puts the item back each time): the claim
        // count, which only B can raise while A is cut off, shows that B took it over.
        await Replicas.EventuallyAsync(async () => (await replicas.InboxAsync()).SingleOrDefault(i => i.Attempts > claimedByA),
            TimeSpan.FromSeconds(60), "B took over the item whose claim A could not renew");

        // A is back on the database and its DELETE is answered: the restart it would record is
        // refused, and B, waiting for A's Lease, confirms the intent once A lets the Lease go.
        partition.Partitioned = false;
        delete.Answer.SetResult();
        await FencedAsync(a, null);
        var restarted = await RestartRecordedAsync(b);
        await EventRecordedAsync(replicas);

        Assert.Equal(restarted.Id, Assert.Single(await b.AuditAsync()).Id);
        Assert.Single(RestartEvents(replicas));
        Assert.Single(replicas.Kube.Deletes());
        var whisker = (await b.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies.Single();
        Assert.Equal(1, whisker.ConsecutiveRestarts);
    }

    [Fact]
    public async Task AReplicaThatLostTheLeaseWhileFrozenSendsNoDelete()
    {
        await using var replicas = await Replicas.StartAsync();
        // A's claim outlasts the freeze: only the Lease lapses.
        var a = await replicas.StartAsync("alerthealer-a", s =>
        {
            Quick(s);
            s["AlertHealer__Inbox__ClaimDuration"] = "00:05:00";
        });
        using var frozen = new Freezer(a);
        // A freezes right after taking the Lease, before it records its intent and deletes.
        replicas.Kube.BeforeRequest = r =>
        {
            if (r.Is("create", "leases") && r.Body.Contains(a.Identity, StringComparison.Ordinal)) frozen.Once();
            return Task.CompletedTask;
        };

        using (var sent = await a.PostAlertAsync(Replicas.Incident("6d4e5f6071829304"))) Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        await frozen.Frozen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The freeze comes as the create arrives; the API server stores it just after.
        await Replicas.EventuallyAsync(() => Task.FromResult(replicas.Kube.Lease(Replicas.LeaseNamespace, Replicas.Lease) is { Spec.HolderIdentity: var holder } lease
            && holder == a.Identity ? lease : null), TimeSpan.FromSeconds(10), "A holds the Lease it created");
        var b = await replicas.StartAsync("alerthealer-b", Quick);
        // An operator asks B meanwhile: in progress while A's Lease is live, a restart once it lapsed.
        RemediateResponse? manual = null;
        for (var asked = 0; manual is null; asked++)
        {
            Assert.True(asked < 12, "B restarted whisker once A's Lease had lapsed");
            using var response = await b.RemediateAsync("whisker UI blank");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = (await response.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
            if (body.Outcome == Outcomes.Restarted) manual = body;
            else await Task.Delay(TimeSpan.FromSeconds(2));
        }

        frozen.Thaw();
        var decided = await Replicas.EventuallyAsync(async () => (await b.AuditAsync()).FirstOrDefault(e => e.Alert?.Fingerprint == "6d4e5f6071829304"),
            TimeSpan.FromSeconds(30), "A decided its incident afresh after finding its Lease lapsed");

        Assert.Contains("was not renewed in time and may be another replica's; no DELETE was sent", a.Process.Output, StringComparison.Ordinal);
        Assert.NotEqual(Outcomes.Restarted, decided.Outcome);
        Assert.Single(await b.AuditAsync(), e => e.Outcome == Outcomes.Restarted);
        Assert.Equal(manual.AuditId, Assert.Single(await b.AuditAsync(), e => e.Outcome == Outcomes.Restarted).Id);
        Assert.Equal([200], DeleteRequests(replicas).Select(d => d.StatusCode));
        output.WriteLine($"A's incident was decided {decided.Outcome} after its Lease lapsed");
    }

    // A replica whose clock is 30 s ahead takes neither the live claim nor the live Lease of one
    // on time; a replica 30 s behind takes over a dead one's within the claim and Lease durations.
    [Theory]
    [InlineData("00:00:30")]
    [InlineData("-00:00:30")]
    public async Task AReplicaWithASkewedClockNeitherStealsLiveWorkNorWaitsPastADeadReplicasExpiry(string offset)
    {
        await using var replicas = await Replicas.StartAsync();
        // A Lease long enough that a busy machine delaying A's renewals does not look like A dying.
        void Timings(Dictionary<string, string?> s)
        {
            Quick(s);
            s["AlertHealer__Kubernetes__LeaseDuration"] = "00:00:10";
        }
        var a = await replicas.StartAsync("alerthealer-a", Timings);
        var delete = HoldFirstDelete(replicas);
        using (var sent = await a.PostAlertAsync(Replicas.Incident("6e5f607182930415"))) Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        await delete.Held.WaitAsync(TimeSpan.FromSeconds(30));
        var b = await replicas.StartAsync("alerthealer-b", s =>
        {
            Timings(s);
            s["ALERTHEALER_CLOCK_OFFSET"] = offset;
        });
        using (var ready = await b.Anonymous.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        // Claim and Lease durations with A alive and working: B takes neither its claim
        // nor, when an operator asks B to restart whisker, its Lease.
        await Task.Delay(TimeSpan.FromSeconds(12));
        Assert.Equal(a.Identity, Assert.Single(await replicas.InboxAsync()).ClaimedBy);
        using (var manual = await b.RemediateAsync("asked of the skewed replica"))
            Assert.Equal(Outcomes.InProgress, (await manual.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!.Outcome);
        Assert.Equal(a.Identity, replicas.Kube.Lease(Replicas.LeaseNamespace, Replicas.Lease)?.Spec.HolderIdentity);
        Assert.DoesNotContain(replicas.Kube.Requests, r => r.Resource == "leases" && r.Verb is "create" or "update" && r.Body.Contains(b.Identity, StringComparison.Ordinal));

        // A dies with its DELETE unanswered: B finishes it within the claim, poll and Lease times.
        await a.Process.KillAsync();
        var sinceKill = System.Diagnostics.Stopwatch.StartNew();
        delete.Answer.SetResult();
        var restarted = await RestartRecordedAsync(b);
        output.WriteLine($"B (clock {offset}) recorded the restart {sinceKill.Elapsed.TotalSeconds:F1} s after A was killed");
        // Claim (3 s) and Lease (10 s) expiry plus retries; a clock 30 s behind would add 30 s.
        Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(25), $"the takeover took {sinceKill.Elapsed}");
        Assert.Contains(restarted.Steps, s => s is { Name: "intent", Result: "resumed" });
        Assert.Single(replicas.Kube.Deletes());
    }

    private static Task<AuditEntry> RestartRecordedAsync(Replica b) =>
        Replicas.EventuallyAsync(async () => (await b.AuditAsync()).FirstOrDefault(e => e.Outcome == Outcomes.Restarted),
            TimeSpan.FromSeconds(45), $"{b.Identity} recorded the restart");

    private static Task<k8s.Models.Eventsv1Event> EventRecordedAsync(Replicas replicas) =>
        Replicas.EventuallyAsync(() => Task.FromResult(RestartEvents(replicas) is [var first, ..] ? first : null), TimeSpan.FromSeconds(10), "the restart's Event was written");

    private static IReadOnlyList<k8s.Models.Eventsv1Event> RestartEvents(Replicas replicas) =>
        [.. replicas.Kube.Events(Replicas.Namespace).Where(e => e.Reason == EventReasons.Restarted)];

    // The first DELETE reaches the API server and waits there until Answer is set; Held tells it arrived.
    private static (Task Held, TaskCompletionSource Answer) HoldFirstDelete(Replicas replicas)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        replicas.Kube.BeforeRequest = async r =>
        {
            if (!r.Is("delete", "pods") || Interlocked.Exchange(ref first, 1) == 1) return;
            held.TrySetResult();
            await answer.Task;
        };
        return (held.Task, answer);
    }

    private static IReadOnlyList<RecordedRequest> DeleteRequests(Replicas replicas) =>
        [.. replicas.Kube.Requests.Where(r => r.Is("delete", "pods"))];

    // The woken replica logs the refused write, counts it, and sends nothing after it.
    // write: the refused write, or null when it depends on timing (a late replica may be
    // refused at its decision or at putting a retry back, as the machine's load decides).
    private async Task FencedAsync(Replica a, string? write)
    {
        await Replicas.EventuallyAsync(() => Task.FromResult(a.Process.Output.Contains(Fenced, StringComparison.Ordinal) ? a.Process.Output : null),
            TimeSpan.FromSeconds(30), $"{a.Identity} woke up and found its claim lost");
        var metrics = await a.Anonymous.GetStringAsync("/metrics");
        if (write is not null) Assert.Contains($"alerthealer_fenced_writes_total{{write=\"{write}\"}} 1", metrics, StringComparison.Ordinal);
        else Assert.Matches(@"alerthealer_fenced_writes_total\{write=""\w+""\} [1-9]", metrics);
        // Anything it would still send (an Event) would follow the refused write at once.
        await Task.Delay(TimeSpan.FromSeconds(2));
        output.WriteLine(string.Join('\n', a.Process.Output.Split('\n').Where(l => l.Contains("claim", StringComparison.Ordinal))));
    }

    // SIGSTOP at a chosen request, SIGCONT when the test says; never left stopped.
    private sealed class Freezer(Replica replica) : IDisposable
    {
        private int _done;
        private int _stopped;

        public TaskCompletionSource Frozen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Once()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            Signal("STOP");
            Interlocked.Exchange(ref _stopped, 1);
            Frozen.TrySetResult();
        }

        public void Thaw()
        {
            if (Interlocked.Exchange(ref _stopped, 0) == 1) Signal("CONT");
        }

        private void Signal(string name)
        {
            using var kill = System.Diagnostics.Process.Start("kill", [$"-{name}", replica.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            kill.WaitForExit();
        }

        public void Dispose() => Thaw();
    }
}
