using System.Data.Common;
using AlertHealer.Storage.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AlertHealer.Storage;

// `AlertHealer copy-store --from <SQLite file or connection string> --to <Npgsql connection string>`
// (or --to-file <file holding it>): copies the audit log, incidents, policy state and the open
// inbox items from SQLite into PostgreSQL, so history, cooldowns and exactly-once survive the move.
// Idempotent: rows PostgreSQL already has are left alone, so it can be run again after a failure.
public static class CopyStore
{
    public const string Command = "copy-store";
    private const int Batch = 1000;

    private static readonly (string Table, string Columns, string Order, string Conflict)[] Tables =
    [
        ("audit", "id, time_ms, trigger, policy, alertname, fingerprint, outcome, verification, duplicates, document", "id", "(id)"),
        ("incidents", "incident_key, audit_id, concluded_ms", "incident_key", "(incident_key)"),
        ("state", "key, document", "key", "(key)"),
        // Open items only, unclaimed: whichever replica runs first decides them.
        ("inbox", "id, incident_key, alert, received_ms, 'pending' AS state, attempts, next_attempt_ms, duplicates, last_error, audit_id, request, intent, priority",
            "id", ""),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out var from, out var to, out var usage))
        {
            await error.WriteLineAsync($"AlertHealer {Command}: {usage}");
            await error.WriteLineAsync($"usage: AlertHealer {Command} --from <SQLite file or connection string> --to <Npgsql connection string> | --to-file <file>");
            return 2;
        }
        try
        {
            await using var source = new SqliteConnection(from);
            await source.OpenAsync();
            // The source is brought to the current schema, as the service would at start.
            await SqliteMigrations.MigrateAsync(source);
            await using var target = new NpgsqlConnection(to);
            await target.OpenAsync();
            await PostgresMigrations.MigrateAsync(target);
            foreach (var table in Tables)
            {
                var (copied, present) = await CopyAsync(source, target, table);
                await output.WriteLineAsync($"{table.Table}: {copied} copied, {present} already there");
            }
            // New rows continue after the copied ids.
            foreach (var table in new[] { "audit", "inbox" })
                await target.ExecuteAsync($"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))", null);
            return 0;
        }
        catch (Exception ex) when (ex is SqliteException or NpgsqlException or StoreUnavailableException or SchemaTooNewException)
        {
            await error.WriteLineAsync($"AlertHealer {Command}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<(int Copied, int Present)> CopyAsync(DbConnection source, NpgsqlConnection target,
        (string Table, string Columns, string Order, string Conflict) table)
    {
        var where = table.Table == "inbox" ? " WHERE state <> 'done'" : "";
        var names = table.Columns.Split(',').Select(c => c.Trim().Split(' ')[^1]).ToList();
        var insert = $"INSERT INTO {table.Table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select(n => "@" + n))}) ON CONFLICT {table.Conflict} DO NOTHING";
        var (copied, present) = (0, 0);
        await using var read = source.Command($"SELECT {table.Columns} FROM {table.Table}{where} ORDER BY {table.Order}");
        await using var reader = await read.ExecuteReaderAsync();
        await using var tx = await target.BeginTransactionAsync();
        var inBatch = 0;
        while (await reader.ReadAsync())
        {
            var values = names.Select((n, i) => (n, reader.IsDBNull(i) ? null : reader.GetValue(i))).ToArray();
            if (await target.ExecuteAsync(insert, tx, values) == 1) copied++;
            else present++;
            if (++inBatch == Batch) { await tx.SaveAsync("batch"); inBatch = 0; }
        }
        await tx.CommitAsync();
        return (copied, present);
    }

    private static bool TryParse(string[] args, out string from, out string to, out string problem)
    {
        (from, to, problem) = ("", "", "");
        for (var i = 1; i < args.Length - 1; i += 2)
        {
            switch (args[i])
            {
                case "--from": from = args[i + 1].Contains('=') ? args[i + 1] : $"Data Source={args[i + 1]};Mode=ReadWrite"; break;
                case "--to": to = args[i + 1]; break;
                case "--to-file" when File.Exists(args[i + 1]): to = File.ReadAllText(args[i + 1]).Trim(); break;
                case "--to-file": problem = $"--to-file {args[i + 1]} does not exist"; return false;
                default: problem = $"unknown argument {args[i]}"; return false;
            }
        }
        if (from.Length == 0 || to.Length == 0) problem = "both --from and --to (or --to-file) are needed";
        return problem.Length == 0;
    }
}
