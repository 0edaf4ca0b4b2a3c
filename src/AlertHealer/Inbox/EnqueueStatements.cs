using System.Runtime.CompilerServices;
using AlertHealer.Storage;
using System.Data.Common;

namespace AlertHealer.Inbox;

// The webhook's two statements, prepared once per group-commit transaction and reused by every
// delivery in it: preparing them for each alert cost more than running them.
internal sealed class EnqueueStatements
{
    // Keyed by connection and checked against the transaction: Npgsql reuses one transaction
    // object per pooled connector, so a transaction alone would hand out a closed connection's commands.
    private static readonly ConditionalWeakTable<DbConnection, EnqueueStatements> PerConnection = new();

    private readonly DbTransaction _tx;

    private EnqueueStatements(DbConnection c, DbTransaction tx)
    {
        _tx = tx;
        // A new item, unless the incident was decided for good (then no row) or an item of it is
        // still open (then its duplicates count goes up, and the row says so).
        Store = c.Command(
            """
            INSERT INTO inbox (incident_key, alert, received_ms, state, next_attempt_ms, priority)
            SELECT @k, @alert, @now, 'pending', @now, @priority
            WHERE NOT EXISTS (SELECT 1 FROM incidents WHERE incident_key = @k)
            ON CONFLICT (incident_key) WHERE state <> 'done' DO UPDATE SET duplicates = inbox.duplicates + 1
            RETURNING id, duplicates
            """, tx, ("@k", ""), ("@alert", ""), ("@now", 0L), ("@priority", 0));
        Store.Prepare();
        CountOnDecision = c.Command(
            "UPDATE audit SET duplicates = duplicates + 1 WHERE id = (SELECT audit_id FROM incidents WHERE incident_key = @k)",
            tx, ("@k", ""));
        CountOnDecision.Prepare();
    }

    public DbCommand Store { get; }

    public DbCommand CountOnDecision { get; }

    // The commands go with the connection when it closes at the end of the transaction.
    public static EnqueueStatements For(DbConnection c, DbTransaction tx)
    {
        if (PerConnection.TryGetValue(c, out var statements) && ReferenceEquals(statements._tx, tx)) return statements;
        statements = new EnqueueStatements(c, tx);
        PerConnection.AddOrUpdate(c, statements);
        return statements;
    }
}
