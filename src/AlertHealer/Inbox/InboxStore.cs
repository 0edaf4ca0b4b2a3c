using System.Text.Json;
using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Remediation;
using AlertHealer.Storage;
using System.Data.Common;

namespace AlertHealer.Inbox;

public sealed class InboxStore(IStoreDatabase db) : IInboxStore
{
    public Task<IReadOnlyList<Enqueued>> EnqueueAsync(IReadOnlyList<InboxAlert> alerts, DateTimeOffset now, CancellationToken ct = default) =>
        db.GroupWriteAsync<IReadOnlyList<Enqueued>>(async (c, tx) =>
        {
            var results = new List<Enqueued>(alerts.Count);
            foreach (var alert in alerts) results.Add(await EnqueueOneAsync(c, tx, alert, now));
            return results;
        }, ct);

    private static async Task<Enqueued> EnqueueOneAsync(DbConnection c, DbTransaction tx, InboxAlert alert, DateTimeOffset now)
    {
        Enqueued Result(Disposition d, long? id) => new(alert.Alert.Fingerprint, alert.Alert.Status, d, id);
        var statements = EnqueueStatements.For(c, tx);

        // One statement: a new item, or a re-send counted on the item still waiting or being decided.
        var store = statements.Store;
        store.Parameters["@k"].Value = alert.IncidentKey;
        store.Parameters["@alert"].Value = StoreJson.Serialize(alert.Alert);
        store.Parameters["@now"].Value = now.ToUnixTimeMilliseconds();
        store.Parameters["@priority"].Value = alert.Urgent ? 1 : 0;
        await using (var reader = await store.ExecuteReaderAsync())
        {
            if (await reader.ReadAsync())
                return Result(reader.GetInt64(1) == 0 ? Disposition.Queued : Disposition.Duplicate, reader.GetInt64(0));
        }

        // Already decided for good: count the re-send on the entry that decided it.
        var count = statements.CountOnDecision;
        count.Parameters["@k"].Value = alert.IncidentKey;
        await count.ExecuteNonQueryAsync();
        return Result(Disposition.Duplicate, null);
    }

    public Task<long?> ConcludedByAsync(string incidentKey, CancellationToken ct = default) =>
        db.ReadAsync(async c => (long?)await c.ScalarAsync("SELECT audit_id FROM incidents WHERE incident_key = @k", null, ("@k", incidentKey)), ct);

    public Task<InboxItem?> ClaimNextAsync(InboxClaim claim, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            await using var command = c.Command(
                $"""
                UPDATE inbox SET state = 'processing', attempts = attempts + 1, claimed_by = @holder, claimed_until_ms = {db.Dialect.ClockMs} + @duration
                WHERE id = (SELECT id FROM inbox WHERE state = 'pending' AND next_attempt_ms <= @now
                            ORDER BY priority DESC, next_attempt_ms, id LIMIT 1 {db.Dialect.LockClaimedRow})
                RETURNING {ItemColumns}
                """, tx, ("@now", claim.Now.ToUnixTimeMilliseconds()), ("@holder", claim.Holder), ("@duration", DurationMs(claim)));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? ReadItem(reader) : null;
        }, ct);

    public Task<bool> RenewClaimAsync(InboxItem item, InboxClaim claim, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) => await c.ExecuteAsync(
            $"UPDATE inbox SET claimed_until_ms = {db.Dialect.ClockMs} + @duration WHERE id = @id AND state = 'processing' AND claimed_by = @holder AND attempts = @claim", tx,
            ("@now", claim.Now.ToUnixTimeMilliseconds()), ("@duration", DurationMs(claim)), ("@id", item.Id), ("@holder", claim.Holder), ("@claim", item.Claim)) == 1, ct);

    public Task<int> ReclaimExpiredAsync(InboxClaim claim, IReadOnlyCollection<long> inHand, CancellationToken ct = default)
    {
        // Our own expired claims too (a store fault stranded them), except what we are working on.
        var mine = inHand.Count == 0 ? "" : $" AND id NOT IN ({string.Join(", ", inHand.Select((_, i) => "@h" + i))})";
        var parameters = inHand.Select((id, i) => ("@h" + i, (object?)id))
            .Append(("@now", claim.Now.ToUnixTimeMilliseconds())).Append(("@holder", claim.Holder)).ToArray();
        return db.WriteAsync((c, tx) => c.ExecuteAsync(
            $"""
            UPDATE inbox SET state = 'pending', claimed_by = NULL, claimed_until_ms = NULL, next_attempt_ms = @now
            WHERE state = 'processing' AND claimed_until_ms < {db.Dialect.ClockMs} AND (claimed_by <> @holder OR (claimed_by = @holder{mine}))
            """, tx, parameters), ct);
    }

    public Task CompleteAsDuplicateAsync(InboxItem item, long auditId, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var duplicates = await FenceAsync(c, tx, item, "duplicate");
            await c.ExecuteAsync("UPDATE audit SET duplicates = duplicates + @n WHERE id = @a", tx, ("@n", duplicates + 1), ("@a", auditId));
            return await c.ExecuteAsync(
                "UPDATE inbox SET state = 'done', audit_id = @a, claimed_by = NULL, claimed_until_ms = NULL WHERE id = @id", tx,
                ("@a", auditId), ("@id", item.Id));
        }, ct);

    public Task<InboxItem> StartManualAsync(RemediationRequest request, InboxClaim claim, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            await using var command = c.Command(
                $"""
                INSERT INTO inbox (incident_key, alert, request, received_ms, state, attempts, next_attempt_ms, priority, claimed_by, claimed_until_ms)
                VALUES (@k, 'null', @request, @now, 'processing', 1, @now, 1, @holder, {db.Dialect.ClockMs} + @duration) RETURNING {ItemColumns}
                """, tx, ("@k", $"manual|{Guid.NewGuid():N}"), ("@request", StoreJson.Serialize(request)),
                ("@now", claim.Now.ToUnixTimeMilliseconds()), ("@holder", claim.Holder), ("@duration", DurationMs(claim)));
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return ReadItem(reader);
        }, ct);

    public Task RecordIntentAsync(InboxItem item, DeleteIntent intent, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            await FenceAsync(c, tx, item, "intent");
            return await c.ExecuteAsync("UPDATE inbox SET intent = @i WHERE id = @id", tx,
                ("@i", StoreJson.Serialize(intent)), ("@id", item.Id));
        }, ct);

    public Task<DeleteIntent?> UnconfirmedIntentAsync(string policy, long exceptItemId, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            await using var command = c.Command("SELECT intent FROM inbox WHERE state <> 'done' AND intent IS NOT NULL AND id <> @id", null, ("@id", exceptItemId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var intent = StoreJson.Deserialize<DeleteIntent>(reader.GetString(0))!;
                if (intent.Policy == policy) return intent;
            }
            return null;
        }, ct);

    public Task<bool> SeenAsync(string incidentKey, CancellationToken ct = default) =>
        db.ReadAsync(async c => await c.ScalarAsync(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM inbox WHERE incident_key = @k) OR EXISTS (SELECT 1 FROM incidents WHERE incident_key = @k)",
            null, ("@k", incidentKey)) is not null, ct);

    public Task<AuditEntry> CompleteAsync(InboxItem item, AuditEntry entry, string? policy = null,
        Func<PolicyState, PolicyState>? policyChange = null, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var duplicates = await FenceAsync(c, tx, item, "decision");
            var stored = await AuditRows.InsertAsync(c, tx, entry with { Duplicates = duplicates });
            await c.ExecuteAsync("UPDATE inbox SET state = 'done', audit_id = @a, last_error = NULL, claimed_by = NULL, claimed_until_ms = NULL WHERE id = @id", tx,
                ("@a", stored.Id), ("@id", item.Id));
            if (Outcomes.Concludes(stored.Outcome))
            {
                await c.ExecuteAsync(
                    "INSERT INTO incidents (incident_key, audit_id, concluded_ms) VALUES (@k, @a, @t) ON CONFLICT (incident_key) DO NOTHING",
                    tx, ("@k", item.IncidentKey), ("@a", stored.Id), ("@t", stored.Time.ToUnixTimeMilliseconds()));
            }
            if (policy is not null && policyChange is not null)
                await StateRows.UpdateAsync(c, tx, StateRows.PolicyKey(policy), PolicyState.Initial, policyChange);
            return stored;
        }, ct);

    private const string ItemColumns = "id, incident_key, alert, received_ms, attempts, request, intent, last_error";

    private static InboxItem ReadItem(DbDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        var request = Text(5) is { } manual
            ? StoreJson.Deserialize<RemediationRequest>(manual)!
            : new RemediationRequest(Triggers.Webhook, StoreJson.Deserialize<AlertRef>(reader.GetString(2))!);
        return new InboxItem(
            reader.GetInt64(0),
            reader.GetString(1),
            request,
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            reader.GetInt32(4),
            Text(6) is { } intent ? StoreJson.Deserialize<DeleteIntent>(intent) : null,
            Text(7));
    }

    public Task RescheduleAsync(InboxItem item, DateTimeOffset next, string error, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            await FenceAsync(c, tx, item, "reschedule");
            return await c.ExecuteAsync(
                "UPDATE inbox SET state = 'pending', next_attempt_ms = @next, last_error = @e, claimed_by = NULL, claimed_until_ms = NULL WHERE id = @id", tx,
                ("@next", next.ToUnixTimeMilliseconds()), ("@e", error), ("@id", item.Id));
        }, ct);

    // The fencing token: every claim of an item adds one to attempts, so the claim this replica
    // took is still its own only while the row is processing at that count. Checked first in the
    // transaction of every write made for the item; otherwise the whole transaction is refused.
    // Returns the re-sends counted on the item meanwhile.
    private static async Task<int> FenceAsync(DbConnection c, DbTransaction tx, InboxItem item, string write) =>
        await c.ScalarAsync("SELECT duplicates FROM inbox WHERE id = @id AND state = 'processing' AND attempts = @claim", tx,
            ("@id", item.Id), ("@claim", item.Claim)) is { } duplicates and not DBNull
            ? Convert.ToInt32(duplicates)
            : throw new ClaimLostException(item.Id, item.Claim, write);

    private static long DurationMs(InboxClaim claim) => (long)(claim.Until - claim.Now).TotalMilliseconds;

    // This replica's own claims from before a restart (other replicas' expire: ReclaimExpiredAsync).
    public Task<int> RecoverAsync(string holder, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE inbox SET state = 'pending', claimed_by = NULL, claimed_until_ms = NULL WHERE state = 'processing' AND (claimed_by = @holder OR claimed_by IS NULL)",
            tx, ("@holder", holder)), ct);

    public Task<(int Depth, DateTimeOffset? Oldest, DateTimeOffset? NextDue)> StatsAsync(CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            await using var command = c.Command("SELECT COUNT(*), MIN(received_ms), MIN(CASE WHEN state = 'pending' THEN next_attempt_ms END) FROM inbox WHERE state <> 'done'");
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            DateTimeOffset? At(int i) => reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
            return (Convert.ToInt32(reader.GetValue(0)), At(1), At(2));
        }, ct);
}
