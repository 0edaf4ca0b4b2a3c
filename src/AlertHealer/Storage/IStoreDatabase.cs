using System.Data.Common;

namespace AlertHealer.Storage;

// The database under the audit log, the inbox and policy state, whichever provider it is. The
// stores' SQL is shared; the few differences are in StoreDialect.
public interface IStoreDatabase
{
    StoreDialect Dialect { get; }

    // One transaction, serialised against other writers (SQLite's lock, PostgreSQL's SERIALIZABLE).
    Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default);

    Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct = default);

    // The webhook's hot path: shares a commit with other deliveries (GroupCommit).
    Task<T> GroupWriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct);
}

public sealed record StoreDialect(string Name, string LockClaimedRow)
{
    public static readonly StoreDialect Sqlite = new("sqlite", "");

    // Replicas claiming at once each take another row instead of waiting for one.
    public static readonly StoreDialect Postgres = new("postgres", "FOR UPDATE SKIP LOCKED");
}
