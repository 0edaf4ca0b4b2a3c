using System.Text.Json;
using AlertHealer.Storage;

namespace AlertHealer.Policies;

public sealed class SqliteStateStore(SqliteDatabase db) : IStateStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<PolicyState> GetPolicyAsync(string policy, CancellationToken ct = default) =>
        db.ReadAsync(async c => Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = $k", null, ("$k", "policy:" + policy)), PolicyState.Initial), ct);

    public Task<PolicyState> UpdatePolicyAsync(string policy, Func<PolicyState, PolicyState> change, CancellationToken ct = default) =>
        UpdateAsync("policy:" + policy, PolicyState.Initial, change, ct);

    public Task<BreakerState> GetBreakerAsync(CancellationToken ct = default) =>
        db.ReadAsync(async c => Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = 'breaker'", null), new BreakerState()), ct);

    public Task<BreakerState> UpdateBreakerAsync(Func<BreakerState, BreakerState> change, CancellationToken ct = default) =>
        UpdateAsync("breaker", new BreakerState(), change, ct);

    // Read-modify-write inside one write transaction, so concurrent updates do not lose each other.
    private Task<T> UpdateAsync<T>(string key, T initial, Func<T, T> change, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var next = change(Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = $k", tx, ("$k", key)), initial));
            await c.ExecuteAsync(
                "INSERT INTO state (key, document) VALUES ($k, $d) ON CONFLICT (key) DO UPDATE SET document = excluded.document",
                tx, ("$k", key), ("$d", JsonSerializer.Serialize(next, Json)));
            return next;
        }, ct);

    private static T Parse<T>(object? document, T initial) =>
        document is string s ? JsonSerializer.Deserialize<T>(s, Json) ?? initial : initial;
}
