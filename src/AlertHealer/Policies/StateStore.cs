using System.Data.Common;
using AlertHealer.Alertmanager;
using AlertHealer.Storage;

namespace AlertHealer.Policies;

public sealed class StateStore(IStoreDatabase db) : IStateStore
{
    private const string EscalationPrefix = "escalation:";

    public Task<PolicyState> GetPolicyAsync(string policy, CancellationToken ct = default) =>
        db.ReadAsync(async c => StateRows.Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = @k", null, ("@k", StateRows.PolicyKey(policy))), PolicyState.Initial), ct);

    public Task<PolicyState> UpdatePolicyAsync(string policy, Func<PolicyState, PolicyState> change, CancellationToken ct = default) =>
        UpdateAsync(StateRows.PolicyKey(policy), PolicyState.Initial, change, ct);

    public Task<BreakerState> GetBreakerAsync(CancellationToken ct = default) =>
        db.ReadAsync(async c => StateRows.Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = 'breaker'", null), new BreakerState()), ct);

    public Task<BreakerState> UpdateBreakerAsync(Func<BreakerState, BreakerState> change, CancellationToken ct = default) =>
        UpdateAsync("breaker", new BreakerState(), change, ct);

    // One row per page, keyed by its labels (the alert's identity in Alertmanager).
    public async Task<OpenEscalation> OpenEscalationAsync(Escalation escalation, DateTimeOffset now, CancellationToken ct = default) =>
        (await UpdateAsync<OpenEscalation?>($"{EscalationPrefix}{escalation.Policy}:{escalation.Reason}:{escalation.Target}", null,
            open => open is null ? new OpenEscalation(escalation, now) : open with { Escalation = escalation }, ct))!;

    public Task<IReadOnlyList<OpenEscalation>> GetOpenEscalationsAsync(CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<OpenEscalation>>(async c => [.. (await EscalationsAsync(c, null, ct)).Select(r => r.Open)], ct);

    public Task<IReadOnlyList<OpenEscalation>> CloseEscalationsAsync(string policy, CancellationToken ct = default) =>
        db.WriteAsync<IReadOnlyList<OpenEscalation>>(async (c, tx) =>
        {
            // Matched on the stored policy, not a key prefix, so no name reaches another policy's rows.
            var closing = (await EscalationsAsync(c, tx, ct)).Where(r => r.Open.Escalation.Policy == policy).ToList();
            foreach (var (key, _) in closing) await c.ExecuteAsync("DELETE FROM state WHERE key = @k", tx, ("@k", key));
            return [.. closing.Select(r => r.Open)];
        }, ct);

    private static async Task<List<(string Key, OpenEscalation Open)>> EscalationsAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        await using var command = c.Command($"SELECT key, document FROM state WHERE key LIKE '{EscalationPrefix}%'", tx);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<(string Key, OpenEscalation Open)>();
        while (await reader.ReadAsync(ct))
        {
            if (StateRows.Parse<OpenEscalation?>(reader.GetString(1), null) is { } open) rows.Add((reader.GetString(0), open));
        }
        // Ordered here, not in SQL: PostgreSQL's collation may order keys unlike SQLite's bytes.
        return [.. rows.OrderBy(r => r.Key, StringComparer.Ordinal)];
    }

    public Task<T> GetDocumentAsync<T>(string key, T initial, CancellationToken ct = default) =>
        db.ReadAsync(async c => StateRows.Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = @k", null, ("@k", key)), initial), ct);

    public Task<T> UpdateDocumentAsync<T>(string key, T initial, Func<T, T> change, CancellationToken ct = default) =>
        UpdateAsync(key, initial, change, ct);

    // Read-modify-write inside one write transaction, so concurrent updates do not lose each other.
    private Task<T> UpdateAsync<T>(string key, T initial, Func<T, T> change, CancellationToken ct) =>
        db.WriteAsync((c, tx) => StateRows.UpdateAsync(c, tx, key, initial, change), ct);
}
