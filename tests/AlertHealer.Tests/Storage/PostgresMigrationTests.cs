using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure.Postgres;

namespace AlertHealer.Tests.Storage;

public sealed class PostgresMigrationTests
{
    [Fact]
    public async Task AnEmptyDatabaseGetsEveryTableAndRecordsEachVersion()
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync();

        await using var db = await Postgres.MigratedAsync(cs);

        Assert.Equal(2, PostgresMigrations.Latest);
        Assert.Equal("1,2", await Postgres.ScalarAsync(cs, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version"));
        Assert.Equal(
            ["audit", "inbox", "incidents", "schema_version", "state"],
            ((string)(await Postgres.ScalarAsync(cs, "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"))!).Split(','));
        Assert.Equal(
            ["id bigint", "incident_key text", "alert text", "received_ms bigint", "state text", "attempts integer",
             "next_attempt_ms bigint", "duplicates integer", "last_error text", "audit_id bigint",
             "claimed_by text", "claimed_until_ms bigint", "intent text"],
            await Postgres.ColumnsAsync(cs, "inbox"));
        Assert.Equal(
            ["id bigint", "time_ms bigint", "trigger text", "policy text", "alertname text", "fingerprint text",
             "outcome text", "verification text", "duplicates integer", "document text"],
            await Postgres.ColumnsAsync(cs, "audit"));
        Assert.Equal(["incident_key text", "audit_id bigint", "concluded_ms bigint"], await Postgres.ColumnsAsync(cs, "incidents"));
        Assert.Equal(["key text", "document text"], await Postgres.ColumnsAsync(cs, "state"));
    }

    [Fact]
    public async Task MigratingAgainChangesNothingAndKeepsTheData()
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs);
        await db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state (key, document) VALUES ('breaker', '{}')", tx));

        await using var connection = await db.OpenAsync();
        var before = await PostgresMigrations.MigrateAsync(connection);

        Assert.Equal(PostgresMigrations.Latest, before);
        Assert.Equal(2L, await Postgres.ScalarAsync(cs, "SELECT count(*) FROM schema_version"));
        Assert.Equal("{}", await Postgres.ScalarAsync(cs, "SELECT document FROM state WHERE key = 'breaker'"));
    }

    [Fact]
    public async Task FourReplicasStartingAtOnceEndWithOneSchema()
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync();
        var replicas = Enumerable.Range(0, 4).Select(_ => Postgres.Database(cs)).ToList();

        var before = await Task.WhenAll(replicas.Select(async db =>
        {
            await using var connection = await db.OpenAsync();
            return await PostgresMigrations.MigrateAsync(connection);
        }));

        // Exactly one found the database empty; the others waited for it and found it done.
        Assert.Equal([0, 2, 2, 2], before.Order());
        Assert.Equal("1,2", await Postgres.ScalarAsync(cs, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version"));
        Assert.Equal(5L, await Postgres.ScalarAsync(cs, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
        foreach (var db in replicas) await db.DisposeAsync();
    }

    [Fact]
    public async Task ADatabaseAtTheFirstVersionGetsTheClaimColumnsAndKeepsItsRows()
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync();
        await using var db = Postgres.Database(cs);
        await db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", tx);
            await c.ExecuteAsync(PostgresSchema.Steps[0] + "; INSERT INTO schema_version (version) VALUES (1)", tx);
            return await c.ExecuteAsync(
                "INSERT INTO inbox (incident_key, alert, received_ms, state, next_attempt_ms) VALUES ('k', '{}', 1, 'pending', 1)", tx);
        });

        await using var connection = await db.OpenAsync();
        var before = await PostgresMigrations.MigrateAsync(connection);

        Assert.Equal(1, before);
        Assert.Equal("k|pending|||", await Postgres.ScalarAsync(cs,
            "SELECT concat_ws('|', incident_key, state, coalesce(claimed_by, ''), coalesce(claimed_until_ms::text, ''), coalesce(intent, '')) FROM inbox"));
        Assert.Equal(2, await Postgres.ScalarAsync(cs, "SELECT max(version) FROM schema_version"));
    }
}
