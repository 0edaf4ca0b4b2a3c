using System.Text;
using System.Text.Json;
using AlertHealer.Storage;

namespace AlertHealer.Audit;

public sealed class AuditStore(IStoreDatabase db) : IAuditStore
{
    public Task<AuditEntry> AddAsync(AuditEntry entry, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => AuditRows.InsertAsync(c, tx, entry), ct);

    public Task<AuditEntry?> GetAsync(long id, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            await using var command = c.Command("SELECT document, duplicates FROM audit WHERE id = @id", null, ("@id", id));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? AuditRows.Read(reader) : null;
        }, ct);

    public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var (sql, parameters) = PageSql(query);
            await using var command = c.Command(sql, null, parameters);
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

    // One page of GET /audit: every filter is an index seek (the plans are asserted by a test).
    public static (string Sql, (string, object?)[] Parameters) PageSql(AuditQuery query)
    {
        var sql = new StringBuilder("SELECT document, duplicates, id FROM audit WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        void Filter(string clause, string name, object? value)
        {
            if (value is null) return;
            sql.Append(" AND ").Append(clause);
            parameters.Add((name, value));
        }
        // Time is monotonic in id (AuditRows.InsertAsync): the window becomes an id range found
        // on the time index, and every other filter seeks its (column, id) index within it.
        Filter("id >= (SELECT id FROM audit WHERE time_ms >= @since ORDER BY time_ms, id LIMIT 1)", "@since", query.Since?.ToUnixTimeMilliseconds());
        Filter("id < COALESCE((SELECT id FROM audit WHERE time_ms >= @until ORDER BY time_ms, id LIMIT 1), 9223372036854775807)", "@until", query.Until?.ToUnixTimeMilliseconds());
        Filter("policy = @policy", "@policy", query.Policy);
        Filter("outcome = @outcome", "@outcome", query.Outcome);
        Filter("trigger = @trigger", "@trigger", query.Trigger);
        Filter("alertname = @alertname", "@alertname", query.AlertName);
        Filter("fingerprint = @fingerprint", "@fingerprint", query.Fingerprint);
        Filter("id < @before", "@before", query.Before);
        // Ids grow with time, so id order is newest first and a stable cursor.
        sql.Append(" ORDER BY id DESC LIMIT @limit");
        parameters.Add(("@limit", query.Limit + 1));
        return (sql.ToString(), [.. parameters]);
    }

    public Task<IReadOnlyList<AuditEntry>> PendingVerificationsAsync(CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<AuditEntry>>(async c =>
        {
            await using var command = c.Command("SELECT document, duplicates FROM audit WHERE verification = 'pending' ORDER BY id");
            await using var reader = await command.ExecuteReaderAsync(ct);
            var items = new List<AuditEntry>();
            while (await reader.ReadAsync(ct)) items.Add(AuditRows.Read(reader));
            return items;
        }, ct);

    // Only while pending: two replicas may verify the same restart, and only the first result counts.
    public Task<bool> SetVerificationAsync(long id, string verification, string detail, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var current = await c.ScalarAsync("SELECT document FROM audit WHERE id = @id AND verification = 'pending'", tx, ("@id", id)) as string;
            if (current is null) return false;
            var entry = StoreJson.Deserialize<AuditEntry>(current)! with
            {
                Verification = verification,
                VerificationDetail = detail,
            };
            return await c.ExecuteAsync("UPDATE audit SET verification = @v, document = @doc WHERE id = @id AND verification = 'pending'", tx,
                ("@v", verification), ("@doc", StoreJson.Serialize(entry)), ("@id", id)) == 1;
        }, ct);

    public Task<int> CountAutomaticRestartsAsync(DateTimeOffset since, CancellationToken ct = default) =>
        // Literals, not parameters: the planner uses the partial index audit_automatic_restarts
        // only when the query states its condition.
        db.ReadAsync(async c => Convert.ToInt32(await c.ScalarAsync(
            $"SELECT COUNT(*) FROM audit WHERE trigger = '{Triggers.Webhook}' AND outcome = '{Outcomes.Restarted}' AND time_ms >= @since", null,
            ("@since", since.ToUnixTimeMilliseconds()))), ct);

    public Task<int> PruneAsync(DateTimeOffset auditBefore, DateTimeOffset inboxDoneBefore, int batch, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var inbox = await c.ExecuteAsync(
                "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE state = 'done' AND received_ms < @t ORDER BY received_ms LIMIT @n)",
                tx, ("@t", inboxDoneBefore.ToUnixTimeMilliseconds()), ("@n", batch));
            // The oldest entries first; the window is an id range (time is monotonic in id).
            var upTo = await c.ScalarAsync("SELECT MAX(id) FROM (SELECT id FROM audit WHERE time_ms < @t ORDER BY id LIMIT @n) AS oldest", tx,
                ("@t", auditBefore.ToUnixTimeMilliseconds()), ("@n", batch));
            if (upTo is not long last) return inbox;
            var incidents = await c.ExecuteAsync("DELETE FROM incidents WHERE audit_id <= @last", tx, ("@last", last));
            var entries = await c.ExecuteAsync("DELETE FROM audit WHERE id <= @last", tx, ("@last", last));
            return inbox + incidents + entries;
        }, ct);

    public Task ProbeWriteAsync(CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
            await c.ExecuteAsync("INSERT INTO state (key, document) VALUES ('readiness-probe', '{}') ON CONFLICT (key) DO UPDATE SET document = '{}'", tx), ct);
}
