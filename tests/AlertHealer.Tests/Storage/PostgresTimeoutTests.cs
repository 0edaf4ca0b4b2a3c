using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure.Postgres;

namespace AlertHealer.Tests.Storage;

// BusyTimeout bounds connecting and each statement, so the webhook answers 503 in time.
public sealed class PostgresTimeoutTests
{
    [Fact]
    public async Task AServerThatAcceptsButNeverAnswersIsUnavailableWithinBusyTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () => { while (true) accepted.Add(await silent.AcceptSocketAsync()); });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var db = Postgres.Database($"Host=127.0.0.1;Port={port};Database=x;Username=x;Password=x", TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => db.ReadAsync(c => c.ScalarAsync("SELECT 1", null)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        Assert.Contains("cannot open the store", refused.Message);
    }

    [Fact]
    public async Task AStatementLongerThanBusyTimeoutIsCancelledAndTheNextCallWorks()
    {
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs, TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            db.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state VALUES ('slow', '{}'); SELECT pg_sleep(10)", tx)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(0L, await db.ReadAsync(c => c.ScalarAsync("SELECT count(*) FROM state", null)));
    }
}
