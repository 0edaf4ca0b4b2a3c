using System.Diagnostics;
using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Postgres;

namespace AlertHealer.Tests.Storage;

// Each test stops and starts its own server, as a database restart or failover does.
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task WhileTheServerIsDownReadsAndWritesAreStoreUnavailableAtOnce()
    {
        await using var server = await PostgresServer.StartNewAsync();
        await using var db = await Postgres.MigratedAsync(await server.CreateDatabaseAsync(), TimeSpan.FromSeconds(2));
        await WarmPoolAsync(db);

        await server.StopAsync();
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<StoreUnavailableException>(() => db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state VALUES ('a', '{}')", tx)));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => db.ReadAsync(c => c.ScalarAsync("SELECT count(*) FROM state", null)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task WhenTheServerIsBackCallsSucceedWithoutARestartAndOnlyTheFirstMeetsADeadConnection()
    {
        await using var server = await PostgresServer.StartNewAsync();
        var cs = await server.CreateDatabaseAsync();
        var logs = new CapturedLogs();
        await using var db = await Postgres.MigratedAsync(cs, logs: logs);
        await db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state VALUES ('before', '{}')", tx));
        await WarmPoolAsync(db);

        await server.StopAsync();
        await server.StartAsync();
        for (var i = 0; i < 6; i++)
        {
            await db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state VALUES (@k, '{}')", tx, ("k", $"after{i}")));
        }

        Assert.Equal(7L, await db.ReadAsync(c => c.ScalarAsync("SELECT count(*) FROM state", null)));
        // Four dead connections were idle in the pool; the first one found cleared them all.
        Assert.Single(logs.Lines, l => l.Contains("trying again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWriteRefusedDuringTheOutageSucceedsWhenSentAgainAfterIt()
    {
        await using var server = await PostgresServer.StartNewAsync();
        var cs = await server.CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs, TimeSpan.FromSeconds(2));
        Task<int> Write() => db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state VALUES ('resent', '{}')", tx));

        await server.StopAsync();
        await Assert.ThrowsAsync<StoreUnavailableException>(Write);
        await server.StartAsync();

        Assert.Equal(1, await Write());
        Assert.Equal("{}", await Postgres.ScalarAsync(cs, "SELECT document FROM state WHERE key = 'resent'"));
    }

    [Fact]
    public async Task AfterTheNetworkCutEveryConnectionOnlyTheFirstCallMeetsADeadOne()
    {
        var server = await PostgresServer.SharedAsync();
        var database = new Npgsql.NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync()).Database!;
        await using var proxy = new TcpProxy(server.Port);
        var logs = new CapturedLogs();
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString(database)) { Port = proxy.Port }.ToString();
        await using var db = await Postgres.MigratedAsync(cs, logs: logs);
        await WarmPoolAsync(db);

        // No goodbye from the server this time: the pool cannot know its connections are dead.
        proxy.CutAll();
        for (var i = 0; i < 6; i++)
        {
            await db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state VALUES (@k, '{}')", tx, ("k", $"after{i}")));
        }

        Assert.Equal(6L, await db.ReadAsync(c => c.ScalarAsync("SELECT count(*) FROM state", null)));
        Assert.Single(logs.Lines, l => l.Contains("trying again", StringComparison.Ordinal));
    }

    // Four connections at once, so four stay idle in the pool afterwards.
    private static Task<object?[]> WarmPoolAsync(PostgresDatabase db) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(_ => db.ReadAsync(c => c.ScalarAsync("SELECT pg_sleep(0.2)", null))));
}
