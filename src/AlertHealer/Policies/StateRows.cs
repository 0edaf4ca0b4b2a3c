using AlertHealer.Storage;
using System.Data.Common;

namespace AlertHealer.Policies;

// Row mapping for policy and breaker state, shared by the state store and the inbox, which
// writes a restart's backoff in the transaction that records the restart.
public static class StateRows
{
    public static string PolicyKey(string policy) => "policy:" + policy;

    public static async Task<T> UpdateAsync<T>(DbConnection c, DbTransaction tx, string key, T initial, Func<T, T> change)
    {
        var next = change(Parse(await c.ScalarAsync("SELECT document FROM state WHERE key = @k", tx, ("@k", key)), initial));
        await c.ExecuteAsync(
            "INSERT INTO state (key, document) VALUES (@k, @d) ON CONFLICT (key) DO UPDATE SET document = excluded.document",
            tx, ("@k", key), ("@d", StoreJson.Serialize(next)));
        return next;
    }

    public static T Parse<T>(object? document, T initial) =>
        document is string s ? StoreJson.Deserialize<T>(s) ?? initial : initial;
}
