using System.Buffers.Text;
using System.Text;

namespace AlertHealer.Audit;

// Opaque paging cursor: clients pass back what they got, they do not build it.
public static class AuditCursor
{
    private const string Prefix = "before:";

    public static string Encode(long id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Prefix + id));

    public static bool TryDecode(string? cursor, out long? before)
    {
        before = null;
        if (string.IsNullOrEmpty(cursor)) return true;
        if (cursor.Length > 64) return false;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            if (!text.StartsWith(Prefix, StringComparison.Ordinal) || !long.TryParse(text.AsSpan(Prefix.Length), out var id) || id <= 0)
                return false;
            before = id;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
