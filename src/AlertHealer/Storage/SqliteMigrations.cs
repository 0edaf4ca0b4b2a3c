using Microsoft.Data.Sqlite;

namespace AlertHealer.Storage;

// Forward-only schema migrations, tracked with PRAGMA user_version.
public static class SqliteMigrations
{
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time_ms INTEGER NOT NULL,
            trigger TEXT NOT NULL,
            policy TEXT NULL,
            alertname TEXT NULL,
            fingerprint TEXT NULL,
            outcome TEXT NOT NULL,
            verification TEXT NULL,
            duplicates INTEGER NOT NULL DEFAULT 0,
            document TEXT NOT NULL
        );
        CREATE INDEX audit_time ON audit (time_ms);
        CREATE INDEX audit_fingerprint ON audit (fingerprint);
        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_key TEXT NOT NULL,
            alert TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms INTEGER NOT NULL,
            duplicates INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NULL,
            audit_id INTEGER NULL
        );
        CREATE UNIQUE INDEX inbox_open_incident ON inbox (incident_key) WHERE state <> 'done';
        CREATE INDEX inbox_due ON inbox (state, next_attempt_ms);
        CREATE TABLE incidents (
            incident_key TEXT PRIMARY KEY,
            audit_id INTEGER NOT NULL REFERENCES audit (id),
            concluded_ms INTEGER NOT NULL
        );
        CREATE TABLE state (
            key TEXT PRIMARY KEY,
            document TEXT NOT NULL
        );
        """,
        // A manual request stored as an inbox item, the DELETE an attempt is about to send, and the
        // priority that lets an alert a policy acts on pass a backlog of others.
        """
        ALTER TABLE inbox ADD COLUMN request TEXT NULL;
        ALTER TABLE inbox ADD COLUMN intent TEXT NULL;
        CREATE INDEX audit_pending_verification ON audit (id) WHERE verification = 'pending';
        ALTER TABLE inbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE inbox ADD COLUMN claimed_by TEXT NULL;
        ALTER TABLE inbox ADD COLUMN claimed_until_ms INTEGER NULL;
        DROP INDEX inbox_due;
        -- Each filter of GET /audit seeks its own index in id order, so a page of the newest
        -- matches reads about a page of rows however long the log is.
        DROP INDEX audit_fingerprint;
        CREATE INDEX audit_fingerprint ON audit (fingerprint, id);
        CREATE INDEX audit_policy ON audit (policy, id);
        CREATE INDEX audit_outcome ON audit (outcome, id);
        CREATE INDEX audit_trigger ON audit (trigger, id);
        CREATE INDEX audit_alertname ON audit (alertname, id);
        -- Retention deletes by age: finished inbox items, and the incidents of old entries.
        CREATE INDEX inbox_done ON inbox (received_ms) WHERE state = 'done';
        CREATE INDEX incidents_audit ON incidents (audit_id);
        CREATE INDEX inbox_claim ON inbox (priority DESC, next_attempt_ms, id) WHERE state = 'pending';
        CREATE INDEX inbox_processing ON inbox (claimed_until_ms) WHERE state = 'processing';
        -- Lookups every decision makes, which scanned every row so far (a storm made each decision
        -- slower than the last): any item of an incident, done or not (the partial unique index
        -- covers only open ones), and the automatic restarts in the breaker's window.
        CREATE INDEX inbox_incident ON inbox (incident_key);
        CREATE INDEX audit_automatic_restarts ON audit (time_ms) WHERE trigger = 'webhook' AND outcome = 'restarted';
        """,
    ];

    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken ct = default)
    {
        await using (var wal = connection.CreateCommand())
        {
            // WAL lets readers run beside the writer; FULL keeps a committed alert on disk.
            wal.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";
            await wal.ExecuteNonQueryAsync(ct);
        }
        await using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(await read.ExecuteScalarAsync(ct));
        // Rolled back past a migration: the columns and meanings of the later schema are unknown here.
        if (version > Steps.Length) throw new SchemaTooNewException("SQLite", version, Steps.Length);
        for (var i = version; i < Steps.Length; i++)
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var step = connection.CreateCommand();
            step.Transaction = tx;
            step.CommandText = Steps[i] + $"; PRAGMA user_version = {i + 1};";
            await step.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        // Fresh planner statistics where they are stale, so each audit filter picks its index. Only
        // an optimisation: a full disk must not stop the start (writes then answer 503 until space returns).
        await using var optimize = connection.CreateCommand();
        optimize.CommandText = "PRAGMA optimize";
        try { await optimize.ExecuteNonQueryAsync(ct); }
        catch (SqliteException) { }
    }
}
