using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AlertHealer.Tests.Audit;

// Every filter of GET /audit and their combinations read a page through an index in id order:
// no sort of the matches (TEMP B-TREE) and no scan of the table, so a page costs the same at a
// million entries. A regression in the SQL or the indexes fails here.
public sealed class AuditQueryPlanTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, AuditQuery> Queries => new()
    {
        { "window", Query(since: Day, until: Day.AddDays(1)) },
        { "since", Query(since: Day) },
        { "until", Query(until: Day) },
        { "policy", Query(policy: "whisker") },
        { "outcome", Query(outcome: "failed") },
        { "trigger", Query(trigger: "manual") },
        { "alertname", Query(alertname: "WhiskerBackendWedged") },
        { "fingerprint", Query(fingerprint: "0000000000000abc") },
        { "cursor", Query(before: 12_345) },
        { "window and rare outcome", Query(since: Day, until: Day.AddDays(1), outcome: "failed") },
        { "policy and rare outcome", Query(policy: "whisker", outcome: "failed") },
        { "policy, trigger and window", Query(since: Day, until: Day.AddDays(1), policy: "whisker", trigger: "manual") },
        { "cursor and outcome", Query(before: 12_345, outcome: "restarted") },
        { "alertname and fingerprint", Query(alertname: "WhiskerBackendWedged", fingerprint: "0000000000000abc") },
        { "everything", Query(Day, Day.AddDays(1), "whisker", "restarted", "webhook", "WhiskerBackendWedged", "0000000000000abc", 12_345) },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task PageIsReadThroughAnIndexInIdOrder(string name, AuditQuery query)
    {
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath}");
        await connection.OpenAsync();
        await FillAsync(connection, 20_000);

        var plan = await PlanAsync(connection, query);

        Assert.DoesNotContain(plan, p => p.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.All(plan, p => Assert.True(p.StartsWith("SEARCH", StringComparison.Ordinal) || p.StartsWith("SCALAR SUBQUERY", StringComparison.Ordinal),
            $"{name}: '{p}' reads the table without an index; plan: {string.Join(" | ", plan)}"));
    }

    [Fact]
    public async Task UnfilteredNewestPageWalksTheTableBackwardsWithoutSorting()
    {
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Inbox:WorkerEnabled"] = "false");
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath}");
        await connection.OpenAsync();
        await FillAsync(connection, 1_000);

        var plan = await PlanAsync(connection, Query());

        Assert.Equal(["SCAN audit"], plan);
    }

    private static AuditQuery Query(DateTimeOffset? since = null, DateTimeOffset? until = null, string? policy = null, string? outcome = null,
        string? trigger = null, string? alertname = null, string? fingerprint = null, long? before = null) =>
        new(since, until, policy, outcome, trigger, alertname, fingerprint, 50, before);

    private static async Task<List<string>> PlanAsync(SqliteConnection connection, AuditQuery query)
    {
        var (sql, parameters) = AlertHealer.Audit.AuditStore.PageSql(query);
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (key, value) in parameters) explain.Parameters.AddWithValue(key, value);
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        return plan;
    }

    // A log shaped like production's: mostly automatic whisker decisions a minute apart, a few
    // manual ones, a rare failure; then the statistics the planner uses (PRAGMA optimize at start).
    private static async Task FillAsync(SqliteConnection connection, int count)
    {
        await using var fill = connection.CreateCommand();
        fill.CommandText = """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
            INSERT INTO audit (time_ms, trigger, policy, alertname, fingerprint, outcome, verification, duplicates, document)
            SELECT $start + i * 60000,
                   CASE WHEN i % 20 = 0 THEN 'manual' ELSE 'webhook' END,
                   'whisker', 'WhiskerBackendWedged', printf('%016x', i % 5000),
                   CASE WHEN i % 500 = 0 THEN 'failed' WHEN i % 3 = 0 THEN 'restarted' ELSE 'suppressed-cooldown' END,
                   NULL, 0, '{}'
            FROM n;
            ANALYZE;
            """;
        fill.Parameters.AddWithValue("$count", count);
        fill.Parameters.AddWithValue("$start", Day.AddDays(-7).ToUnixTimeMilliseconds());
        await fill.ExecuteNonQueryAsync();
    }
}
