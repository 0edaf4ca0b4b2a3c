using System.Data;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AlertHealer.Storage.Postgres;

// The PostgreSQL database that several replicas share, in the shape of SqliteDatabase so the
// stores port over with their SQL. Every failure to reach or use it is a StoreUnavailableException.
public sealed class PostgresDatabase(IOptions<StorageOptions> options, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly TimeSpan _busyTimeout = options.Value.BusyTimeout;
    private readonly ILogger _logger = loggers.CreateLogger<PostgresDatabase>();
    private readonly NpgsqlDataSource _source = PostgresDataSource.Create(options.Value, loggers);

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct = default)
    {
        try
        {
            return await _source.OpenConnectionAsync(ct);
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFault(ex))
        {
            throw new StoreUnavailableException($"cannot open the store: {ex.Message}", ex);
        }
    }

    // Runs work in one SERIALIZABLE transaction: replicas' read-modify-writes behave as if one ran
    // after the other, like SQLite's single writer. Work may run again after a conflict or a lost
    // connection (never after the commit was sent), so it must only touch the database.
    public Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct = default) =>
        RunAsync("write", async (connection, attempt) =>
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
            var result = await work(connection, tx);
            attempt.Committing = true;
            await tx.CommitAsync(ct);
            return result;
        }, ct);

    public Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct = default) =>
        RunAsync("read", (connection, _) => work(connection), ct);

    private async Task<T> RunAsync<T>(string what, Func<NpgsqlConnection, Attempt, Task<T>> work, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        for (var number = 1; ; number++)
        {
            await using var connection = await OpenAsync(ct);
            var attempt = new Attempt();
            try
            {
                return await work(connection, attempt);
            }
            catch (Exception ex) when (PostgresErrors.IsStoreFault(ex))
            {
                // Npgsql empties its pool when a connection breaks (the idle ones to a restarted
                // server are dead too), so only the first caller after an outage meets one.
                var lost = PostgresErrors.LostConnection(ex, connection);
                // A conflict with another replica is tried again until BusyTimeout has passed.
                var conflict = PostgresErrors.IsConflict(ex) && Stopwatch.GetElapsedTime(started) < _busyTimeout;
                // One more try on a new connection, unless the commit was sent: it may have landed,
                // and only the caller can decide to send it again.
                var reconnect = lost && !attempt.Committing && number == 1;
                if (!(conflict || reconnect) || ct.IsCancellationRequested)
                    throw new StoreUnavailableException($"the store could not {what}: {ex.Message}", ex);
                _logger.LogDebug(ex, "Store {What} attempt {Attempt} failed; trying again", what, number);
                // Jittered, so colliding replicas do not collide again in step.
                if (conflict) await Task.Delay(Random.Shared.Next(2, 10 * Math.Min(number, 5)), ct);
            }
        }
    }

    private sealed class Attempt
    {
        public bool Committing { get; set; }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
