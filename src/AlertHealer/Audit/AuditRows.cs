using System.Data.Common;
using AlertHealer.Storage;

namespace AlertHealer.Audit;

// Row mapping shared by the audit store and the inbox, which writes an entry in the same
// transaction that finishes an inbox item.
public static class AuditRows
{
    public static async Task<AuditEntry> InsertAsync(DbConnection connection, DbTransaction tx, AuditEntry entry)
    {
        // Entries are recorded in time order (a decision that started earlier but finished later
        // takes the previous entry's time), so a time window is an id range (AuditQueries).
        var last = await connection.ScalarAsync("SELECT MAX(time_ms) FROM audit", tx) is long ms ? ms : long.MinValue;
        if (entry.Time.ToUnixTimeMilliseconds() < last) entry = entry with { Time = DateTimeOffset.FromUnixTimeMilliseconds(last) };
        var id = (long)(await connection.ScalarAsync(
            """
            INSERT INTO audit (time_ms, trigger, policy, alertname, fingerprint, outcome, verification, duplicates, document)
            VALUES (@time, @trigger, @policy, @alertname, @fingerprint, @outcome, @verification, @duplicates, '{}')
            RETURNING id
            """,
            tx,
            ("@time", entry.Time.ToUnixTimeMilliseconds()), ("@trigger", entry.Trigger), ("@policy", entry.Policy),
            ("@alertname", entry.Alert?.Name), ("@fingerprint", entry.Alert?.Fingerprint), ("@outcome", entry.Outcome),
            ("@verification", entry.Verification), ("@duplicates", entry.Duplicates)))!;
        var stored = entry with { Id = id };
        await connection.ExecuteAsync("UPDATE audit SET document = @doc WHERE id = @id", tx,
            ("@doc", StoreJson.Serialize(stored)), ("@id", id));
        return stored;
    }

    public static AuditEntry Read(DbDataReader reader)
    {
        // Columns that change after insert (duplicates, verification) win over the document.
        var entry = StoreJson.Deserialize<AuditEntry>(reader.GetString(reader.GetOrdinal("document")))!;
        return entry with { Duplicates = reader.GetInt32(reader.GetOrdinal("duplicates")) };
    }
}
