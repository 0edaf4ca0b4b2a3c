using Npgsql;

namespace AlertHealer.Storage.Postgres;

// Brings the database to the latest schema. Replicas starting together take turns on an advisory
// lock (scoped to this database), so exactly one applies each step and the others find it done.
// Needs no superuser: only a database the connecting role owns (or may create tables in).
public static class PostgresMigrations
{
    // "AlertHea" as a number: the lock this application uses for its schema, and nothing else.
    public const long LockKey = 0x416C_6572_7448_6561;

    // Waiting for another replica's migration is part of starting, so longer than a statement.
    private const int CommandTimeoutSeconds = 300;

    public static int Latest => PostgresSchema.Steps.Count;

    // Returns the schema version the database had before, and applies every step after it.
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, CancellationToken ct = default)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@key)", ct, ("key", LockKey));
        await ExecuteAsync(connection, tx,
            "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", ct);
        await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, tx);
        var version = Convert.ToInt32(await read.ExecuteScalarAsync(ct));
        // Rolled back past a migration: the columns and meanings of the later schema are unknown here.
        if (version > Latest) throw new SchemaTooNewException("PostgreSQL", version, Latest);
        for (var step = version; step < Latest; step++)
        {
            await ExecuteAsync(connection, tx, PostgresSchema.Steps[step], ct);
            await ExecuteAsync(connection, tx, "INSERT INTO schema_version (version) VALUES (@version)", ct, ("version", step + 1));
        }
        await tx.CommitAsync(ct);
        return version;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = CommandTimeoutSeconds };
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(ct);
    }
}
