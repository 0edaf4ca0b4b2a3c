using System.Net;
using System.Net.Http.Json;
using AlertHealer.Alertmanager;
using AlertHealer.Audit;
using AlertHealer.Inbox;
using AlertHealer.Policies;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using AlertHealer.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.Storage;

// The same behaviour on both stores: every test runs on SQLite and on a real PostgreSQL.
public sealed class StoreContractTests
{
    public static TheoryData<string> Providers => ["Sqlite", "Postgres"];

    private static async Task<TestApp> StartAsync(string provider, Action<Dictionary<string, string?>>? configure = null, string? directory = null,
        FakeKubernetesApi? kube = null, Microsoft.Extensions.Time.Testing.FakeTimeProvider? time = null) =>
        await TestApp.StartAsync(configure, directory, kube, time, provider: provider);

    private static AlertRef Alert(string fingerprint, string status = "firing", string name = "WhiskerBackendWedged") =>
        new(name, fingerprint, TestApp.Start.AddMinutes(-10), status, new Dictionary<string, string> { ["alertname"] = name });

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task FiringAlertRestartsOnceAndResendsAreDuplicates(string provider)
    {
        await using var app = (await StartAsync(provider)).WithCalicoSystem();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => app.PostWebhookAsync(Fixtures.Firing)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        await app.DrainAsync();
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
        Assert.Equal(9, (await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{entry.Id}", Json.Options))!.Duplicates);
        var whisker = (await app.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies.Single();
        Assert.Equal(1, whisker.ConsecutiveRestarts);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task LostDeleteAnswerIsConfirmedOnceAfterARestartOnTheSameStore(string provider)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time);
        kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        string directory;
        await using (var first = (await StartAsync(provider, kube: kube, time: time)).WithCalicoSystem())
        {
            kube.LoseAnswerNext("delete", "pods");
            await first.PostWebhookAsync(Fixtures.NewIncident("0a1b2c3d4e5f6071"));
            await kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(30));
            directory = first.Directory;
        }

        await using var second = await StartAsync(provider, directory: directory, kube: kube, time: time);
        var entry = await second.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(5), 60, "restarted");
        Assert.Single(kube.Deletes());
        Assert.Equal(Fixtures.WedgedPod, entry.Action!.Pod);
        Assert.Contains(entry.Steps, s => s is { Name: "intent", Result: "resumed" });
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task InboxClaimsUrgentFirstAndOnlyOnceAndTakesOverExpiredClaims(string provider)
    {
        await using var app = await StartAsync(provider, s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        var inbox = app.Services.GetRequiredService<IInboxStore>();
        var now = app.Time.GetUtcNow();
        var stored = await inbox.EnqueueAsync([InboxAlert.From(Alert("00000000000000a1", name: "Noise")), InboxAlert.From(Alert("00000000000000a2"), matchesPolicy: true)], now);
        var again = await inbox.EnqueueAsync([InboxAlert.From(Alert("00000000000000a2"), matchesPolicy: true)], now);

        Assert.Equal([Disposition.Queued, Disposition.Queued], stored.Select(s => s.Disposition));
        Assert.Equal(Disposition.Duplicate, Assert.Single(again).Disposition);
        var replicaA = new InboxClaim("replica-a", now, now.AddSeconds(15));
        var first = await inbox.ClaimNextAsync(replicaA);
        var second = await inbox.ClaimNextAsync(new InboxClaim("replica-b", now, now.AddSeconds(1)));
        Assert.Equal("00000000000000a2", first!.Alert.Fingerprint);
        Assert.Equal("00000000000000a1", second!.Alert.Fingerprint);
        Assert.Null(await inbox.ClaimNextAsync(replicaA));

        // Expiry is judged by the store's clock: the replica's on SQLite (one process), which the
        // claims below carry; the database's on PostgreSQL, which only real time moves.
        async Task StoreClockPassesAsync()
        {
            if (provider == "Postgres") await Task.Delay(TimeSpan.FromSeconds(1.5));
        }

        // Replica A dies holding its item: B takes it over once the claim has expired, not before.
        var later = new InboxClaim("replica-b", now.AddSeconds(10), now.AddSeconds(25));
        Assert.Equal(0, await inbox.ReclaimExpiredAsync(later, [second.Id]));
        // A's last renewal is for one second; then it stops.
        Assert.True(await inbox.RenewClaimAsync(first, new InboxClaim("replica-a", now.AddSeconds(10), now.AddSeconds(11))));
        await StoreClockPassesAsync();
        var expired = new InboxClaim("replica-b", now.AddSeconds(30), now.AddSeconds(31));
        Assert.Equal(1, await inbox.ReclaimExpiredAsync(expired, [second.Id]));
        Assert.False(await inbox.RenewClaimAsync(first, new InboxClaim("replica-a", now.AddSeconds(30), now.AddSeconds(45))));
        var takenOver = await inbox.ClaimNextAsync(expired);
        Assert.Equal(first.Id, takenOver!.Id);
        Assert.Equal(2, takenOver.Attempts);
        // A's claim is fenced off: its writes for the item change nothing.
        var stale = await Assert.ThrowsAsync<ClaimLostException>(() => inbox.RescheduleAsync(first, now, "A woke up"));
        Assert.Equal("reschedule", stale.Write);
        Assert.False(await inbox.RenewClaimAsync(first, new InboxClaim("replica-b", now.AddSeconds(30), now.AddSeconds(45))));

        // B's own expired claims come back too (a store fault stranded them), but never one in hand.
        await StoreClockPassesAsync();
        var muchLater = new InboxClaim("replica-b", now.AddMinutes(5), now.AddMinutes(6));
        Assert.Equal(1, await inbox.ReclaimExpiredAsync(muchLater, [takenOver.Id]));
        Assert.Equal(1, await inbox.ReclaimExpiredAsync(muchLater, []));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task IntentCompletionAndIncidentBookkeepingRoundTrip(string provider)
    {
        await using var app = await StartAsync(provider, s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        var inbox = app.Services.GetRequiredService<IInboxStore>();
        var state = app.Services.GetRequiredService<IStateStore>();
        var now = app.Time.GetUtcNow();
        var claim = new InboxClaim("replica-a", now, now.AddSeconds(15));
        var alert = Alert("00000000000000b1");
        await inbox.EnqueueAsync([InboxAlert.From(alert, matchesPolicy: true)], now);
        var item = (await inbox.ClaimNextAsync(claim))!;
        var intent = new DeleteIntent("whisker", "calico-system", Fixtures.WedgedPod, "uid-1", now, [new DecisionStep("policy", "matched", "whisker")]);

        await inbox.RecordIntentAsync(item, intent);
        Assert.Equal(intent.Uid, (await inbox.UnconfirmedIntentAsync("whisker", exceptItemId: -1))!.Uid);
        Assert.Null(await inbox.UnconfirmedIntentAsync("whisker", item.Id));
        await inbox.RescheduleAsync(item, now, "lost answer");
        var retried = (await inbox.ClaimNextAsync(claim))!;
        Assert.Equal(intent.Uid, retried.Intent!.Uid);
        Assert.Equal("lost answer", retried.LastError);
        Assert.Equal(intent.Steps, retried.Intent.Steps);

        var entry = new AuditEntry { Time = now, Trigger = Triggers.Webhook, Policy = "whisker", Alert = alert, Outcome = Outcomes.Restarted, Verification = Verifications.Pending };
        var stored = await inbox.CompleteAsync(retried, entry, "whisker", s => s with { ConsecutiveRestarts = s.ConsecutiveRestarts + 1 });

        Assert.Equal(stored.Id, await inbox.ConcludedByAsync(item.IncidentKey));
        Assert.Equal(1, (await state.GetPolicyAsync("whisker")).ConsecutiveRestarts);
        Assert.Null(await inbox.UnconfirmedIntentAsync("whisker", -1));
        Assert.Equal(0, (await inbox.StatsAsync()).Depth);
        Assert.False(await inbox.SeenAsync(InboxAlert.ResolvedKey(alert)));
        var resend = await inbox.EnqueueAsync([InboxAlert.From(alert, matchesPolicy: true)], now);
        Assert.Equal(Disposition.Duplicate, Assert.Single(resend).Disposition);
        var audit = app.Services.GetRequiredService<IAuditStore>();
        Assert.Equal(1, (await audit.GetAsync(stored.Id))!.Duplicates);
        Assert.Equal(stored.Id, Assert.Single(await audit.PendingVerificationsAsync()).Id);
        await audit.SetVerificationAsync(stored.Id, Verifications.Healed, "replacement Ready");
        Assert.Empty(await audit.PendingVerificationsAsync());
        Assert.Equal(1, await audit.CountAutomaticRestartsAsync(now.AddMinutes(-1)));
    }

    // Two replicas may verify the same restart: the first result is kept, the other is refused.
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AVerificationIsSettledOnceWhateverSettlesItSecond(string provider)
    {
        await using var app = await StartAsync(provider, s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        var audit = app.Services.GetRequiredService<IAuditStore>();
        AuditEntry Restart() => new() { Time = app.Time.GetUtcNow(), Trigger = Triggers.Manual, Policy = "whisker", Outcome = Outcomes.Restarted, Verification = Verifications.Pending };
        var first = await audit.AddAsync(Restart());
        var raced = await audit.AddAsync(Restart());

        Assert.True(await audit.SetVerificationAsync(first.Id, Verifications.Healed, "replacement Ready"));
        Assert.False(await audit.SetVerificationAsync(first.Id, Verifications.NotHealed, "no replacement became Ready"));
        Assert.False(await audit.SetVerificationAsync(raced.Id + 1000, Verifications.Healed, "no such entry"));
        var results = await Task.WhenAll(
            audit.SetVerificationAsync(raced.Id, Verifications.Healed, "seen by one replica"),
            audit.SetVerificationAsync(raced.Id, Verifications.NotHealed, "seen by the other"));

        var kept = (await audit.GetAsync(first.Id))!;
        Assert.Equal((Verifications.Healed, "replacement Ready"), (kept.Verification, kept.VerificationDetail));
        Assert.Single(results, written => written);
        Assert.Equal(results[0] ? Verifications.Healed : Verifications.NotHealed, (await audit.GetAsync(raced.Id))!.Verification);
        Assert.Empty(await audit.PendingVerificationsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AuditFiltersWindowsAndCursorsAgree(string provider)
    {
        await using var app = await StartAsync(provider, s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        var audit = app.Services.GetRequiredService<IAuditStore>();
        var start = app.Time.GetUtcNow();
        for (var i = 0; i < 30; i++)
        {
            await audit.AddAsync(new AuditEntry
            {
                Time = start.AddMinutes(i),
                Trigger = i % 5 == 0 ? Triggers.Manual : Triggers.Webhook,
                Policy = "whisker",
                Alert = Alert($"{i:x16}"),
                Outcome = i % 10 == 0 ? Outcomes.Failed : Outcomes.Cooldown,
            });
        }

        var window = await audit.QueryAsync(new AuditQuery(start.AddMinutes(10), start.AddMinutes(20), null, null, null, null, null, 50, null));
        Assert.Equal(Enumerable.Range(10, 10).Reverse().Select(i => start.AddMinutes(i)), window.Items.Select(e => e.Time));
        var failed = await audit.QueryAsync(new AuditQuery(null, null, "whisker", Outcomes.Failed, null, null, null, 50, null));
        Assert.Equal(3, failed.Items.Count);
        var manual = await audit.QueryAsync(new AuditQuery(null, null, null, null, Triggers.Manual, null, null, 50, null));
        Assert.Equal(6, manual.Items.Count);
        var one = await audit.QueryAsync(new AuditQuery(null, null, null, null, null, "WhiskerBackendWedged", $"{7:x16}", 50, null));
        Assert.Equal(start.AddMinutes(7), Assert.Single(one.Items).Time);

        var pages = new List<AuditEntry>();
        long? before = null;
        do
        {
            var page = await audit.QueryAsync(new AuditQuery(null, null, null, null, null, null, null, 7, before));
            pages.AddRange(page.Items);
            before = AuditCursor.TryDecode(page.NextCursor, out var next) ? next : null;
        } while (before is not null);
        Assert.Equal(30, pages.Select(e => e.Id).Distinct().Count());
        Assert.Equal(pages.Select(e => e.Id).OrderDescending(), pages.Select(e => e.Id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ConcurrentStateUpdatesAreNotLostAndPruningRespectsRetention(string provider)
    {
        await using var app = await StartAsync(provider, s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        var state = app.Services.GetRequiredService<IStateStore>();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => state.UpdatePolicyAsync("whisker", s => s with { ConsecutiveRestarts = s.ConsecutiveRestarts + 1 })));
        await state.UpdateBreakerAsync(b => b with { ClosedBy = "operator" });

        Assert.Equal(10, (await state.GetPolicyAsync("whisker")).ConsecutiveRestarts);
        Assert.Equal("operator", (await state.GetBreakerAsync()).ClosedBy);

        var audit = app.Services.GetRequiredService<IAuditStore>();
        var now = app.Time.GetUtcNow();
        for (var i = 0; i < 5; i++)
            await audit.AddAsync(new AuditEntry { Time = now.AddDays(-10 + i), Trigger = Triggers.Webhook, Outcome = Outcomes.Cooldown, Alert = Alert($"{i:x16}") });
        var deleted = await audit.PruneAsync(now.AddDays(-7.5), now, batch: 2);
        deleted += await audit.PruneAsync(now.AddDays(-7.5), now, batch: 2);

        Assert.Equal(3, deleted);
        Assert.Equal(2, (await audit.QueryAsync(new AuditQuery(null, null, null, null, null, null, null, 50, null))).Items.Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task OpenEscalationsOutliveTheProcessAndCloseOnlyTheirPolicy(string provider)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time);
        var stuck = new Escalation("whisker", EscalationReasons.NeedsHuman, "calico-system/k8s-app=whisker", "stuck", "3 restarts did not stick");
        string directory;
        await using (var first = await StartAsync(provider, s => s["AlertHealer:Inbox:WorkerEnabled"] = "false", kube: kube, time: time))
        {
            var state = first.Services.GetRequiredService<IStateStore>();
            var raisedAt = time.GetUtcNow();
            // Replicas raising the same page at once keep one row.
            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => state.OpenEscalationAsync(stuck, raisedAt)));
            var again = await state.OpenEscalationAsync(stuck with { Summary = "still stuck" }, raisedAt.AddMinutes(5));
            await state.OpenEscalationAsync(stuck with { Reason = EscalationReasons.RestartIneffective }, raisedAt);
            // A policy whose name starts with another's is not closed with it.
            await state.OpenEscalationAsync(stuck with { Policy = "whisker-canary" }, raisedAt);
            await state.OpenEscalationAsync(stuck with { Policy = Escalations.AllPolicies, Reason = EscalationReasons.BreakerOpen }, raisedAt);

            Assert.Equal(new OpenEscalation(stuck with { Summary = "still stuck" }, raisedAt), again);
            var open = await state.GetOpenEscalationsAsync();
            Assert.Equal(4, open.Count);
            Assert.Equal(again, Assert.Single(open, o => o.Escalation.Policy == "whisker" && o.Escalation.Reason == EscalationReasons.NeedsHuman));
            // Policy state shares the table and is not an escalation.
            await state.UpdatePolicyAsync("whisker", s => s with { NeedsHuman = true });
            Assert.Equal(4, (await state.GetOpenEscalationsAsync()).Count);
            directory = first.Directory;
        }

        await using var second = await StartAsync(provider, s => s["AlertHealer:Inbox:WorkerEnabled"] = "false", directory, kube, time);
        var store = second.Services.GetRequiredService<IStateStore>();
        Assert.Equal(4, (await store.GetOpenEscalationsAsync()).Count);

        var closed = await store.CloseEscalationsAsync("whisker");

        Assert.Equal([EscalationReasons.NeedsHuman, EscalationReasons.RestartIneffective], closed.Select(o => o.Escalation.Reason).Order());
        Assert.All(closed, o => Assert.Equal(TestApp.Start, o.StartsAt));
        Assert.Equal([Escalations.AllPolicies, "whisker-canary"], (await store.GetOpenEscalationsAsync()).Select(o => o.Escalation.Policy).Order());
        Assert.Empty(await store.CloseEscalationsAsync("whisker"));
        Assert.True((await store.GetPolicyAsync("whisker")).NeedsHuman);
    }

    // Found by the PostgreSQL ingest benchmark: Npgsql reuses a transaction object on a pooled
    // connection, and statements prepared for an earlier delivery's transaction were reused on a
    // closed connection (every delivery after the first few answered 503).
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task DeliveriesOneAfterAnotherAreAllStored(string provider)
    {
        await using var app = await StartAsync(provider, s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");

        for (var i = 0; i < 40; i++)
        {
            using var response = await app.PostWebhookAsync(Fixtures.NewIncident($"{i:x16}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(40, (await app.Services.GetRequiredService<IInboxStore>().StatsAsync()).Depth);
    }
}
