using System.Data.Common;

namespace AlertHealer.Storage;

// The stores' view of the SQLite file: its writer, its reads and its group commit.
public sealed class SqliteStore(SqliteDatabase db, SqliteGroupCommit groupCommit, StoreGate gate) : IStoreDatabase
{
    public StoreDialect Dialect => StoreDialect.Sqlite;

    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        gate.WhenOpen(() => db.WriteAsync((c, tx) => work(c, tx), ct));

    public Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default) =>
        gate.WhenOpen(() => db.ReadAsync(c => work(c), ct));

    public Task<T> GroupWriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct) =>
        gate.WhenOpen(() => groupCommit.WriteAsync<T>((c, tx) => work(c, tx), ct));
}
