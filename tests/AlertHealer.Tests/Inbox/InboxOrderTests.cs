using System.Net;
using AlertHealer.Inbox;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.Inbox;

// A storm of alerts no policy acts on must not delay the one that matters.
public sealed class InboxOrderTests
{
    private static string Noisy(int batch) =>
        Fixtures.Edit(a =>
        {
            a["fingerprint"] = $"{batch:x4}{Guid.NewGuid():N}"[..16];
            a["labels"]!["alertname"] = "NoisyRuleFromAnotherTeam";
        }, copies: 200);

    [Fact]
    public async Task MatchingAlertIsClaimedBeforeABacklogOfOthers()
    {
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        for (var i = 0; i < 10; i++)
        {
            using var noisy = await app.PostWebhookAsync(Noisy(i));
            Assert.Equal(HttpStatusCode.OK, noisy.StatusCode);
        }
        using var matching = await app.PostWebhookAsync(Fixtures.Firing);
        Assert.Equal(HttpStatusCode.OK, matching.StatusCode);

        var inbox = app.Services.GetRequiredService<IInboxStore>();
        var claim = new InboxClaim("test", app.Time.GetUtcNow(), app.Time.GetUtcNow().AddSeconds(15));
        var first = await inbox.ClaimNextAsync(claim);
        var second = await inbox.ClaimNextAsync(claim);

        Assert.Equal("WhiskerBackendWedged", first!.Alert.Name);
        Assert.Equal("NoisyRuleFromAnotherTeam", second!.Alert.Name);
        Assert.Equal(2001, (await inbox.StatsAsync()).Depth);
    }

    [Fact]
    public async Task ClaimingReadsTheClaimIndexNotTheWholeInbox()
    {
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN SELECT id FROM inbox WHERE state = 'pending' AND next_attempt_ms <= 0 ORDER BY priority DESC, next_attempt_ms, id LIMIT 1";
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, p => p.Contains("INDEX inbox_claim", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, p => p.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }
}
