using System.Text;
using System.Text.Json;
using AlertHealer.Storage;

namespace AlertHealer.Audit;

public sealed class SqliteAuditStore(SqliteDatabase db) : IAuditStore
{
    public Task<AuditEntry> AddAsync(AuditEntry entry, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => AuditRows.InsertAsync(c, tx, entry), ct);

    public Task<AuditEntry?> GetAsync(long id, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            await using var command = c.Command("SELECT document, duplicates FROM audit WHERE id = $id", null, ("$id", id));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? AuditRows.Read(reader) : null;
        }, ct);

    public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var sql = new StringBuilder("SELECT document, duplicates, id FROM audit WHERE 1 = 1");
            var parameters = new List<(string, object?)>();
            void Filter(string clause, string name, object? value)
            {
                if (value is null) return;
                sql.Append(" AND ").Append(clause);
                parameters.Add((name, value));
            }
            Filter("time_ms >= $since", "$since", query.Since?.ToUnixTimeMilliseconds());
            Filter("time_ms < $until", "$until", query.Until?.ToUnixTimeMilliseconds());
            Filter("policy = $policy", "$policy", query.Policy);
            Filter("outcome = $outcome", "$outcome", query.Outcome);
            Filter("trigger = $trigger", "$trigger", query.Trigger);
            Filter("alertname = $alertname", "$alertname", query.AlertName);
            Filter("fingerprint = $fingerprint", "$fingerprint", query.Fingerprint);
            Filter("id < $before", "$before", query.Before);
            // Ids grow with time, so id order is newest first and a stable cursor.
            sql.Append(" ORDER BY id DESC LIMIT $limit");
            parameters.Add(("$limit", query.Limit + 1));

            await using var command = c.Command(sql.ToString(), null, [.. parameters]);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var items = new List<AuditEntry>();
            while (await reader.ReadAsync(ct)) items.Add(AuditRows.Read(reader));
            string? next = null;
            if (items.Count > query.Limit)
            {
                items.RemoveAt(items.Count - 1);
                next = AuditCursor.Encode(items[^1].Id);
            }
            return new AuditPage(items, next);
        }, ct);

    public Task<IReadOnlyList<AuditEntry>> PendingVerificationsAsync(CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<AuditEntry>>(async c =>
        {
            await using var command = c.Command("SELECT document, duplicates FROM audit WHERE verification = 'pending' ORDER BY id");
            await using var reader = await command.ExecuteReaderAsync(ct);
            var items = new List<AuditEntry>();
            while (await reader.ReadAsync(ct)) items.Add(AuditRows.Read(reader));
            return items;
        }, ct);

    public Task SetVerificationAsync(long id, string verification, string detail, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var current = await c.ScalarAsync("SELECT document FROM audit WHERE id = $id", tx, ("$id", id)) as string;
            if (current is null) return 0;
            var entry = JsonSerializer.Deserialize<AuditEntry>(current, AuditRows.Json)! with
            {
                Verification = verification,
                VerificationDetail = detail,
            };
            return await c.ExecuteAsync("UPDATE audit SET verification = $v, document = $doc WHERE id = $id", tx,
                ("$v", verification), ("$doc", JsonSerializer.Serialize(entry, AuditRows.Json)), ("$id", id));
        }, ct);

    public Task<int> CountAutomaticRestartsAsync(DateTimeOffset since, CancellationToken ct = default) =>
        // Literals, not parameters: SQLite uses the partial index audit_automatic_restarts only
        // when the query states its condition.
        db.ReadAsync(async c => Convert.ToInt32(await c.ScalarAsync(
            $"SELECT COUNT(*) FROM audit WHERE trigger = '{Triggers.Webhook}' AND outcome = '{Outcomes.Restarted}' AND time_ms >= $since", null,
            ("$since", since.ToUnixTimeMilliseconds()))), ct);

    public Task ProbeWriteAsync(CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
            await c.ExecuteAsync("INSERT INTO state (key, document) VALUES ('readiness-probe', '{}') ON CONFLICT (key) DO UPDATE SET document = '{}'", tx), ct);
}
