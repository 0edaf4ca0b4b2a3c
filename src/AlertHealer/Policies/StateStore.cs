using AlertHealer.Storage;

namespace AlertHealer.Policies;

public sealed class StateStore(IStoreDatabase db) : IStateStore
{
    public Task<PolicyState> GetPolicyAsync(string policy, CancellationToken ct = default) =>
        db.ReadAsync(async c => StateRows.Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = @k", null, ("@k", StateRows.PolicyKey(policy))), PolicyState.Initial), ct);

    public Task<PolicyState> UpdatePolicyAsync(string policy, Func<PolicyState, PolicyState> change, CancellationToken ct = default) =>
        UpdateAsync(StateRows.PolicyKey(policy), PolicyState.Initial, change, ct);

    public Task<BreakerState> GetBreakerAsync(CancellationToken ct = default) =>
        db.ReadAsync(async c => StateRows.Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = 'breaker'", null), new BreakerState()), ct);

    public Task<BreakerState> UpdateBreakerAsync(Func<BreakerState, BreakerState> change, CancellationToken ct = default) =>
        UpdateAsync("breaker", new BreakerState(), change, ct);

    // Read-modify-write inside one write transaction, so concurrent updates do not lose each other.
    private Task<T> UpdateAsync<T>(string key, T initial, Func<T, T> change, CancellationToken ct) =>
        db.WriteAsync((c, tx) => StateRows.UpdateAsync(c, tx, key, initial, change), ct);
}
