using Npgsql;

namespace AlertHealer.Storage.Postgres;

// The webhook's group commit on PostgreSQL (see GroupCommit). A conflict with another replica or a
// lost connection belongs to the whole batch, which PostgresDatabase runs again; only a fault of a
// delivery's own statements (a constraint, a type) is rolled back to its savepoint.
public sealed class PostgresGroupCommit(PostgresDatabase db) : GroupCommit<NpgsqlConnection, NpgsqlTransaction>
{
    protected override Task CommitBatchAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> batch) => db.WriteAsync(batch);

    protected override bool IsDeliveryFault(Exception ex) => PostgresErrors.IsStatementFault(ex);
}
