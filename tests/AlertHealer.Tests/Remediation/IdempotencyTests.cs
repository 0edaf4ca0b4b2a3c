using System.Net;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Webhooks;

namespace AlertHealer.Tests.Remediation;

public sealed class IdempotencyTests
{
    [Fact]
    public async Task FiftyConcurrentDeliveriesOfOneAlertDeleteOnce()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => app.PostWebhookAsync(Fixtures.Firing)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var acks = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<WebhookAck>(Json.Options)));
        Assert.Equal(1, acks.Sum(a => a!.Queued));
        Assert.Equal(49, acks.Sum(a => a!.Duplicates));
        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        await app.DrainAsync();
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
        Assert.Equal(49, (await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{entry.Id}", Json.Options))!.Duplicates);
    }

    [Fact]
    public async Task ResentAlertDoesNotRestartTwice()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        await app.PostWebhookAsync(Fixtures.Firing);
        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);

        // Alertmanager's group_interval later: the same incident, the old pod's name.
        app.Time.Advance(TimeSpan.FromMinutes(5));
        using var again = await app.PostWebhookAsync(Fixtures.Firing);

        var ack = await again.Content.ReadFromJsonAsync<WebhookAck>(Json.Options);
        Assert.Equal("duplicate", Assert.Single(ack!.Alerts).Disposition);
        await app.DrainAsync();
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
        Assert.Equal(1, (await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{entry.Id}", Json.Options))!.Duplicates);
    }

    [Fact]
    public async Task ThreeAlertsInOneGroupNamingTheSameTargetRestartItOnce()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var n = 0;
        var body = Fixtures.Edit(a => a["fingerprint"] = $"c0ffee00000000{n++:x2}", copies: 3);

        await app.PostWebhookAsync(body);

        await app.WaitForCountAsync(_ => true, 3, "for each alert");
        Assert.Single(app.Kube.Deletes());
        var outcomes = (await app.AuditAsync()).Items.Select(e => e.Outcome).Order().ToList();
        Assert.Equal(1, outcomes.Count(o => o == Outcomes.Restarted));
        Assert.All(outcomes.Where(o => o != Outcomes.Restarted), o => Assert.StartsWith("s", o));
    }

    [Fact]
    public async Task AlertStoredBeforeACrashIsActedOnOnceAfterRestart()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestApp.Start);
        await using var kube = await AlertHealer.Tests.Infrastructure.Kubernetes.FakeKubernetesApi.StartAsync(time);
        string directory;
        await using (var stopped = (await TestApp.StartAsync(s => s["AlertHealer:Inbox:WorkerEnabled"] = "false", kube: kube, time: time)).WithCalicoSystem())
        {
            using var response = await stopped.PostWebhookAsync(Fixtures.Firing);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(kube.Deletes());
            directory = stopped.Directory;
        }

        await using var restarted = await TestApp.StartAsync(directory: directory, kube: kube, time: time);
        await restarted.WaitForOutcomeAsync(Outcomes.Restarted);
        await restarted.DrainAsync();

        Assert.Single(kube.Deletes());
        Assert.Single((await restarted.AuditAsync()).Items);
    }

    [Fact]
    public async Task ItemLeftHalfDoneByADeadProcessIsFinishedOnce()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestApp.Start);
        await using var kube = await AlertHealer.Tests.Infrastructure.Kubernetes.FakeKubernetesApi.StartAsync(time);
        string directory;
        await using (var stopped = (await TestApp.StartAsync(s => s["AlertHealer:Inbox:WorkerEnabled"] = "false", kube: kube, time: time)).WithCalicoSystem())
        {
            await stopped.PostWebhookAsync(Fixtures.Firing);
            directory = stopped.Directory;
        }
        // What a process killed mid-decision leaves behind: the item claimed, no entry.
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory, "alerthealer.db")};Pooling=false"))
        {
            await db.OpenAsync();
            await using var claim = db.CreateCommand();
            claim.CommandText = "UPDATE inbox SET state = 'processing', attempts = 1";
            Assert.Equal(1, await claim.ExecuteNonQueryAsync());
        }

        await using var restarted = await TestApp.StartAsync(directory: directory, kube: kube, time: time);
        await restarted.WaitForOutcomeAsync(Outcomes.Restarted);
        await restarted.DrainAsync();

        Assert.Single(kube.Deletes());
    }
}
