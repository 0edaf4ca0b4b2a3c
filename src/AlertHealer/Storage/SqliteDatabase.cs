using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AlertHealer.Storage;

// One SQLite file for the audit log, the inbox and policy state, so a decision and its
// audit entry commit together.
public sealed class SqliteDatabase(IOptions<StorageOptions> options) : IDisposable
{
    // One writer at a time inside the process, queued fairly and without blocking threads;
    // SQLite's own busy handler sleeps and lets late arrivals overtake, which ruins the tail.
    private readonly SemaphoreSlim _writer = new(1, 1);

    private readonly string _connectionString = new SqliteConnectionStringBuilder(options.Value.ConnectionString)
    {
        DefaultTimeout = (int)Math.Ceiling(options.Value.BusyTimeout.TotalSeconds),
        Pooling = true,
    }.ToString();

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {(int)options.Value.BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
            await pragma.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw new StoreUnavailableException($"cannot open the store: {ex.Message}", ex);
        }
    }

    // Runs work in one IMMEDIATE transaction (takes the write lock up front, so concurrent
    // writers queue on busy_timeout instead of failing on upgrade).
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct = default)
    {
        if (!await _writer.WaitAsync(options.Value.BusyTimeout, ct))
            throw new StoreUnavailableException($"the store is busy: no write slot within {options.Value.BusyTimeout}");
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
            var result = await work(connection, tx);
            await tx.CommitAsync(ct);
            return result;
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException($"the store could not write: {ex.Message}", ex);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await OpenAsync(ct);
            return await work(connection);
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException($"the store could not read: {ex.Message}", ex);
        }
    }

    public void Dispose() => _writer.Dispose();
}
