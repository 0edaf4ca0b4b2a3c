using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AlertHealer.Storage;

// One SQLite file for the audit log, the inbox and policy state, so a decision and its
// audit entry commit together.
public sealed class SqliteDatabase(IOptions<StorageOptions> options)
{
    // Every write transaction of the process goes through one queue, drained by SqliteGroupCommit:
    // one writer (SQLite's own busy handler sleeps and lets late arrivals overtake, which ruins the
    // tail), and writes that arrive together share one COMMIT and one fsync.
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    private readonly string _connectionString = new SqliteConnectionStringBuilder(options.Value.ConnectionString)
    {
        DefaultTimeout = (int)Math.Ceiling(options.Value.BusyTimeout.TotalSeconds),
        Pooling = true,
    }.ToString();

    internal ChannelReader<PendingWrite> PendingWrites => _writes.Reader;

    internal void CloseWrites() => _writes.Writer.TryComplete();

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

    // Runs work inside a write transaction (its own savepoint, so it is all-or-nothing on its own)
    // and returns once that transaction is committed and on disk. Work that has not started when
    // ct is cancelled is dropped; work that has started is awaited to the end, so a caller never
    // gives up on a write that then commits behind its back.
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var pending = new PendingWrite(async (c, tx) => await work(c, tx), ct);
        if (!_writes.Writer.TryWrite(pending)) throw new StoreUnavailableException("the store is shutting down");
        return (T)(await pending.Done.Task)!;
    }

    // One IMMEDIATE transaction on a fresh connection (takes the write lock up front, so another
    // process holding it makes this wait busy_timeout instead of failing on upgrade).
    internal async Task TransactionAsync(Func<SqliteConnection, SqliteTransaction, Task> work)
    {
        try
        {
            await using var connection = await OpenAsync();
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
            await work(connection, tx);
            await tx.CommitAsync();
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException($"the store could not write: {ex.Message}", ex);
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
}

internal sealed class PendingWrite(Func<SqliteConnection, SqliteTransaction, Task<object?>> work, CancellationToken ct)
{
    public Func<SqliteConnection, SqliteTransaction, Task<object?>> Work => work;
    public CancellationToken Cancellation => ct;
    public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
