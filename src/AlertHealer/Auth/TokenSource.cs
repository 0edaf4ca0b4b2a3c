using System.Security.Cryptography;
using System.Text;

namespace AlertHealer.Auth;

// One role's token, from configuration or a file (a mounted Secret). A file is re-read when
// it changes, so a rotated Secret takes effect without a restart. Only a hash is kept.
public sealed class TokenSource(string role, string? value, string? file, TimeProvider time)
{
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(2);
    private readonly Lock _gate = new();
    private byte[]? _hash = value is { Length: > 0 } ? Hash(value.Trim()) : null;
    private DateTime _fileStamp;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    public string Role => role;

    // What the audit log records as the actor's token name (never the token).
    public string Name => file is { Length: > 0 } ? Path.GetFileName(file) : $"{role}-token";

    public bool Configured => _hash is not null || file is { Length: > 0 };

    public bool Matches(byte[] presentedHash)
    {
        var expected = Current();
        return expected is not null && CryptographicOperations.FixedTimeEquals(expected, presentedHash);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private byte[]? Current()
    {
        if (file is not { Length: > 0 }) return _hash;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _checkedAt < RecheckEvery && _hash is not null) return _hash;
            _checkedAt = now;
            try
            {
                var stamp = File.GetLastWriteTimeUtc(file);
                if (_hash is null || stamp != _fileStamp)
                {
                    var text = File.ReadAllText(file).Trim();
                    // A rotated-in placeholder or empty file authenticates nobody.
                    _hash = text.Length >= AuthOptions.MinimumLength ? Hash(text) : null;
                    _fileStamp = stamp;
                }
            }
            catch (IOException)
            {
                // Keep the last good token while a Secret update swaps the file.
            }
            return _hash;
        }
    }
}
