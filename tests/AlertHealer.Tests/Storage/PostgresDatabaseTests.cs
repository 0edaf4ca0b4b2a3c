using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure.Postgres;

namespace AlertHealer.Tests.Storage;

public sealed class PostgresDatabaseTests
{
    [Fact]
    public async Task AWriteCommitsAndAReadSeesItWithAtNameParameters()
    {
        await using var db = await Postgres.MigratedAsync(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync());

        var id = await db.WriteAsync(async (c, tx) => (int)(await c.ScalarAsync(
            "INSERT INTO state (key, document) VALUES (@k, @d) RETURNING length(key)", tx, ("@k", "policy:whisker"), ("@d", "{\"paused\":true}")))!);
        var document = await db.ReadAsync(c => c.ScalarAsync("SELECT document FROM state WHERE key = @k", null, ("k", "policy:whisker")));

        Assert.Equal(14, id);
        Assert.Equal("{\"paused\":true}", document);
    }

    [Fact]
    public async Task WorkThatThrowsLeavesNothingBehind()
    {
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs);

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.WriteAsync<int>(async (c, tx) =>
        {
            await c.ExecuteAsync("INSERT INTO state (key, document) VALUES ('a', '{}')", tx);
            throw new InvalidOperationException("the decision failed");
        }));

        Assert.Equal(0L, await Postgres.ScalarAsync(cs, "SELECT count(*) FROM state"));
    }

    [Fact]
    public async Task ARefusedStatementIsStoreUnavailableNotAServerError()
    {
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs);
        await db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state (key, document) VALUES ('a', '{}')", tx));

        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state (key, document) VALUES ('a', '{}')", tx)));

        Assert.Contains("23505", refused.Message);
        Assert.Equal(1L, await Postgres.ScalarAsync(cs, "SELECT count(*) FROM state"));
    }

    [Fact]
    public async Task TwoReplicasIncrementingTheSameDocumentLoseNoUpdate()
    {
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var a = await Postgres.MigratedAsync(cs);
        await using var b = Postgres.Database(cs);
        await a.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state (key, document) VALUES ('n', '0')", tx));

        // Read, compute in C#, write back: what the stores do with policy state.
        async Task<bool> IncrementAsync(PostgresDatabase db)
        {
            try
            {
                await db.WriteAsync(async (c, tx) =>
                {
                    var n = int.Parse((string)(await c.ScalarAsync("SELECT document FROM state WHERE key = 'n'", tx))!);
                    return await c.ExecuteAsync("UPDATE state SET document = @d WHERE key = 'n'", tx, ("d", (n + 1).ToString()));
                });
                return true;
            }
            catch (StoreUnavailableException) { return false; }
        }
        var done = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => IncrementAsync(i % 2 == 0 ? a : b))));

        // Conflicts are tried again (serializable, as SQLite's single writer): none is lost or refused.
        Assert.All(done, Assert.True);
        Assert.Equal("16", await Postgres.ScalarAsync(cs, "SELECT document FROM state WHERE key = 'n'"));
    }
}
