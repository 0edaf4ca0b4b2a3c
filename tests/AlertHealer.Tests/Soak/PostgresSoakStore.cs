using AlertHealer.Tests.Infrastructure.Postgres;
using Npgsql;

namespace AlertHealer.Tests.Soak;

// The soak on PostgreSQL: a server of the run's own, so stopping it harms no other test.
// "Locked from outside" is an exclusive lock on the tables; "full" is the server stopped.
public sealed class PostgresSoakStore : ISoakStore, IAsyncDisposable
{
    private readonly PostgresServer _server;
    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;

    private PostgresSoakStore(PostgresServer server, string connectionString, TimeSpan busyTimeout) =>
        (_server, _connectionString, _busyTimeout) = (server, connectionString, busyTimeout);

    public static async Task<PostgresSoakStore> StartAsync(TimeSpan busyTimeout)
    {
        var server = await PostgresServer.StartNewAsync();
        return new PostgresSoakStore(server, await server.CreateDatabaseAsync(), busyTimeout);
    }

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["AlertHealer__Store__Provider"] = "Postgres",
        ["AlertHealer__Store__ConnectionString"] = _connectionString,
        ["AlertHealer__Store__BusyTimeout"] = _busyTimeout.ToString("c"),
    };

    public string Describe() => $"PostgreSQL on port {_server.Port}";

    public int Port => _server.Port;

    // The same settings, with the server reached through another port (a replica's TcpProxy).
    public IReadOnlyDictionary<string, string?> SettingsVia(int port) => new Dictionary<string, string?>(Settings)
    {
        ["AlertHealer__Store__ConnectionString"] = new NpgsqlConnectionStringBuilder(_connectionString) { Port = port }.ToString(),
    };

    public async Task<IAsyncDisposable?> LockAsync(SoakLog log)
    {
        var holder = new NpgsqlConnection(_connectionString + ";Pooling=false");
        try
        {
            await holder.OpenAsync();
            var tx = await holder.BeginTransactionAsync();
            await using var lockTables = new NpgsqlCommand("LOCK TABLE inbox, audit, incidents, state IN ACCESS EXCLUSIVE MODE", holder, tx);
            await lockTables.ExecuteNonQueryAsync();
            log.Add("store", "tables locked from outside");
            return new Undo(async () =>
            {
                await using (holder) await tx.RollbackAsync();
                log.Add("store", "tables unlocked");
            });
        }
        catch (NpgsqlException e)
        {
            await holder.DisposeAsync();
            log.Add("store", $"could not lock the tables: {e.Message}");
            return null;
        }
    }

    public async Task<IAsyncDisposable?> FillAsync(int pid, SoakLog log)
    {
        await _server.StopAsync();
        log.Add("store", "PostgreSQL stopped");
        return new Undo(async () =>
        {
            await _server.StartAsync();
            log.Add("store", "PostgreSQL started again");
        });
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class Undo(Func<Task> undo) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await undo();
    }
}
