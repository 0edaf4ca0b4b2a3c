using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure.Postgres;

namespace AlertHealer.Tests.Storage;

public sealed class PostgresGroupCommitTests
{
    [Fact]
    public async Task DeliveriesArrivingTogetherShareACommitAndEachIsAnsweredOnlyOnceItIsStored()
    {
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs);
        using var groupCommit = await StartedAsync(db);

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var tx = await groupCommit.WriteAsync(async (c, t) =>
            {
                await c.ExecuteAsync("INSERT INTO state VALUES (@k, '{}')", t, ("k", $"d{i}"));
                return (string)(await c.ScalarAsync("SELECT pg_current_xact_id()::text", t))!;
            }, CancellationToken.None);
            // Answered: another connection sees it already.
            return (tx, Stored: await Postgres.ScalarAsync(cs, $"SELECT count(*) FROM state WHERE key = 'd{i}'"));
        })));

        Assert.All(deliveries, d => Assert.Equal(1L, d.Stored));
        Assert.True(deliveries.Select(d => d.tx).Distinct().Count() < 40, "no two deliveries shared a commit");
        await groupCommit.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ABadDeliveryIsRefusedAloneAndTheOthersOfItsCommitAreStored()
    {
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs);
        await db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state VALUES ('taken', '{}')", tx));
        using var groupCommit = await StartedAsync(db);
        Task<string> Insert(string key, double sleep = 0) => groupCommit.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("INSERT INTO state VALUES (@k, '{}'); SELECT pg_sleep(@s)", t, ("k", key), ("s", sleep));
            return (string)(await c.ScalarAsync("SELECT pg_current_xact_id()::text", t))!;
        }, CancellationToken.None);

        // The slow first delivery holds a commit open; the rest queue up for the next one together.
        var first = Insert("first", sleep: 0.5);
        await Task.Delay(100);
        var good = Enumerable.Range(0, 5).Select(i => Insert($"good{i}")).ToList();
        var bad = Insert("taken");

        await first;
        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => bad);
        var commits = await Task.WhenAll(good);

        Assert.Contains("23505", refused.Message);
        Assert.Single(commits.Distinct());
        Assert.Equal(7L, await Postgres.ScalarAsync(cs, "SELECT count(*) FROM state"));
        await groupCommit.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task WhileTheServerIsDownDeliveriesAreRefusedAndAfterwardsTheyAreStored()
    {
        await using var server = await PostgresServer.StartNewAsync();
        var cs = await server.CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs, TimeSpan.FromSeconds(2));
        using var groupCommit = await StartedAsync(db);
        Task<int> Deliver() => groupCommit.WriteAsync((c, t) => c.ExecuteAsync("INSERT INTO state VALUES ('alert', '{}')", t), CancellationToken.None);

        await server.StopAsync();
        await Assert.ThrowsAsync<StoreUnavailableException>(Deliver);
        await server.StartAsync();

        Assert.Equal(1, await Deliver());
        Assert.Equal(1L, await Postgres.ScalarAsync(cs, "SELECT count(*) FROM state"));
        await groupCommit.StopAsync(CancellationToken.None);
    }

    private static async Task<PostgresGroupCommit> StartedAsync(PostgresDatabase db)
    {
        var groupCommit = new PostgresGroupCommit(db);
        await groupCommit.StartAsync(CancellationToken.None);
        return groupCommit;
    }
}
