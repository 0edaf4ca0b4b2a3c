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

// ClockMs: the clock that inbox claims are taken and judged by, in Unix milliseconds. SQLite has
// one process, whose clock is @now; PostgreSQL's replicas share the database's, so a replica whose
// clock is ahead or behind neither steals a live claim nor waits past the expiry of a dead one's.
public sealed record StoreDialect(string Name, string LockClaimedRow, string ClockMs)
{
    public static readonly StoreDialect Sqlite = new("sqlite", "", "@now");

    // Replicas claiming at once each take another row instead of waiting for one.
    public static readonly StoreDialect Postgres = new("postgres", "FOR UPDATE SKIP LOCKED", "(extract(epoch from now()) * 1000)::bigint");
}
