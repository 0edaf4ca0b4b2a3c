using System.Data.Common;

namespace AlertHealer.Storage.Postgres;

// The stores' view of the shared PostgreSQL database: the same SQL as on SQLite, with
// SKIP LOCKED so replicas claiming at once take different items.
public sealed class PostgresStore(PostgresDatabase db, PostgresGroupCommit groupCommit, StoreGate gate) : IStoreDatabase
{
    public StoreDialect Dialect => StoreDialect.Postgres;

    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default) =>
        gate.WhenOpen(() => db.WriteAsync((c, tx) => work(c, tx), ct));

    public Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default) =>
        gate.WhenOpen(() => db.ReadAsync(c => work(c), ct));

    public Task<T> GroupWriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct) =>
        gate.WhenOpen(() => groupCommit.WriteAsync<T>((c, tx) => work(c, tx), ct));
}
