using Microsoft.Data.Sqlite;

namespace AlertHealer.Storage;

// The webhook's group commit on the SQLite file (see GroupCommit).
public sealed class SqliteGroupCommit(SqliteDatabase db) : GroupCommit<SqliteConnection, SqliteTransaction>
{
    protected override Task CommitBatchAsync(Func<SqliteConnection, SqliteTransaction, Task<bool>> batch) => db.WriteAsync(batch);

    protected override bool IsDeliveryFault(Exception ex) => ex is SqliteException or StoreUnavailableException;
}
