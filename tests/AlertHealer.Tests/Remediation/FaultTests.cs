using System.Net;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AlertHealer.Tests.Remediation;

public sealed class FaultTests
{
    [Fact]
    public async Task DeleteAnswered503IsRetriedAndSucceedsOnce()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        app.Kube.FailNext("delete", "pods", 1, 503);

        await app.PostWebhookAsync(Fixtures.Firing);
        await app.Kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(10));

        var entry = await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Restarted, TimeSpan.FromSeconds(5), 20, "restarted after the retry");
        Assert.Equal(2, app.Kube.Requests.Count(r => r.Verb == "delete"));
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
        Assert.Equal(Fixtures.WedgedPod, entry.Action!.Pod);
    }

    [Fact]
    public async Task DeleteFailingPastRetryForIsRecordedFailedWithTheReason()
    {
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:Inbox:RetryFor"] = "00:02:00")).WithCalicoSystem();
        app.Kube.FailNext("delete", "pods", 1000, 503);

        await app.PostWebhookAsync(Fixtures.Firing);
        // Time moves only once the first attempt has failed and been put back, so RetryFor
        // really spans retries.
        await app.Kube.WaitForRequestAsync(r => r.Verb == "delete", TimeSpan.FromSeconds(10));
        await app.WaitForRetryScheduledAsync();

        var entry = await app.AdvanceUntilAsync(e => e.Outcome == Outcomes.Failed, TimeSpan.FromSeconds(30), 30, "failed");
        Assert.Contains("503", entry.Error);
        Assert.Contains("gave up", entry.Error);
        Assert.Empty(app.Kube.Deletes());
        Assert.True(app.Kube.Requests.Count(r => r.Verb == "delete") >= 2);
    }

    [Fact]
    public async Task StoreThatCannotWriteAnswers503SoAlertmanagerRetries()
    {
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:Store:BusyTimeout"] = "00:00:00.200")).WithCalicoSystem();
        await using (var holder = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=false"))
        {
            await holder.OpenAsync();
            await using var lockDb = holder.CreateCommand();
            lockDb.CommandText = "BEGIN EXCLUSIVE";
            await lockDb.ExecuteNonQueryAsync();

            using var refused = await app.PostWebhookAsync(Fixtures.Firing);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        using var accepted = await app.PostWebhookAsync(Fixtures.Firing);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        Assert.Single(app.Kube.Deletes());
    }
}
