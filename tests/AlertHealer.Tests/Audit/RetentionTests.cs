using System.Net;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.Audit;

public sealed class RetentionTests
{
    private static async Task<long> CountAsync(TestApp app, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    // 24 simulated hours of a noisy route: 40 new alerts every 30 minutes. With a 2-hour
    // retention the store holds at most the last ~2 hours of them, however long the storm lasts.
    [Fact]
    public async Task StoreStaysBoundedThroughADayLongStorm()
    {
        await using var app = await TestApp.StartAsync(s =>
        {
            s["AlertHealer:Store:Retention"] = "02:00:00";
            s["AlertHealer:Store:InboxKeepDone"] = "00:30:00";
            s["AlertHealer:Store:PruneInterval"] = "00:30:00";
        });
        var retention = app.Services.GetRequiredService<AuditRetention>();
        var peak = 0L;
        for (var round = 0; round < 48; round++)
        {
            var n = 0;
            using var response = await app.PostWebhookAsync(Fixtures.Edit(a =>
            {
                a["fingerprint"] = $"{round:x4}{n++:x12}";
                a["startsAt"] = app.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
                a["labels"]!["alertname"] = "NoisyRuleFromAnotherTeam";
            }, copies: 40));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await app.DrainAsync();
            app.Time.Advance(TimeSpan.FromMinutes(30));
            await retention.PruneAsync(CancellationToken.None);
            peak = Math.Max(peak, await CountAsync(app, "audit"));
        }

        // Entries of the last 2 hours: at most 4 rounds (+1 at the edge) of 40.
        Assert.InRange(await CountAsync(app, "audit"), 1, 5 * 40);
        Assert.InRange(peak, 1, 5 * 40);
        Assert.InRange(await CountAsync(app, "incidents"), 1, 5 * 40);
        Assert.InRange(await CountAsync(app, "inbox"), 0, 2 * 40);
        var oldest = (await app.AuditAsync("?limit=500")).Items.Min(e => e.Time);
        Assert.True(app.Time.GetUtcNow() - oldest <= TimeSpan.FromHours(2), $"oldest entry {oldest:O} is past the retention");
    }

    [Fact]
    public async Task PruningKeepsTheIncidentsItHasNotReachedSoResendsStayDuplicates()
    {
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:Store:Retention"] = "01:00:00")).WithCalicoSystem();
        await app.PostWebhookAsync(Fixtures.Firing);
        await app.WaitForOutcomeAsync(Outcomes.Restarted);

        app.Time.Advance(TimeSpan.FromMinutes(30));
        await app.Services.GetRequiredService<AuditRetention>().PruneAsync(CancellationToken.None);
        using var resent = await app.PostWebhookAsync(Fixtures.Firing);

        Assert.Contains("duplicate", await resent.Content.ReadAsStringAsync());
        Assert.Single(app.Kube.Deletes());
        Assert.Single((await app.AuditAsync()).Items);
    }

    [Theory]
    [InlineData("AlertHealer:Store:Retention", "00:10:00")]
    [InlineData("AlertHealer:Store:PruneBatch", "0")]
    public async Task BadRetentionSettingStopsStartupNamingTheKey(string key, string value)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(s => s[key] = value));
        Assert.Contains(key, failure.ToString());
    }
}
