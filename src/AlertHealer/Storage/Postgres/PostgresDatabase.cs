using System.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AlertHealer.Storage.Postgres;

// The PostgreSQL database that several replicas share, in the shape of SqliteDatabase so the
// stores port over with their SQL. Every failure to reach or use it is a StoreUnavailableException.
public sealed class PostgresDatabase(IOptions<StorageOptions> options, ILoggerFactory loggers) : IAsyncDisposable
{
    // A conflict with another replica, or a pooled connection the server has since closed, gets
    // this many tries in all before the caller sees the store as unavailable.
    private const int MaxAttempts = 3;

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
                var lost = PostgresErrors.LostConnection(ex, connection);
                // Idle connections to a restarted server are all dead: drop them, not one per call.
                if (lost) _source.Clear();
                // A commit that was sent may have landed: only the caller can decide to send again.
                var again = PostgresErrors.IsConflict(ex) || (lost && !attempt.Committing);
                if (!again || number == MaxAttempts || ct.IsCancellationRequested)
                    throw new StoreUnavailableException($"the store could not {what}: {ex.Message}", ex);
                _logger.LogDebug(ex, "Store {What} attempt {Attempt} failed; trying again", what, number);
            }
        }
    }

    private sealed class Attempt
    {
        public bool Committing { get; set; }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
