using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace AlertHealer.Auth;

public sealed class TokenRegistry
{
    public TokenRegistry(IOptions<AuthOptions> options, TimeProvider time)
    {
        var o = options.Value;
        Sources =
        [
            new TokenSource(Roles.Webhook, o.WebhookToken, o.WebhookTokenFile, time),
            new TokenSource(Roles.Operator, o.OperatorToken, o.OperatorTokenFile, time),
            new TokenSource(Roles.Reader, o.ReaderToken, o.ReaderTokenFile, time),
        ];
    }

    public IReadOnlyList<TokenSource> Sources { get; }

    // The presented token's hash, remembered per Authorization header string instance: Kestrel
    // hands over the same instance for the same bytes on a keep-alive connection, so a sender's
    // token is hashed once per connection, not per request. Keyed by identity and held weakly,
    // so nothing here keeps a token alive or can be reached with another string.
    private readonly ConditionalWeakTable<string, byte[]> _hashes = new();

    // Compares against every role's token (all in constant time), so timing says nothing about which matched.
    public TokenSource? Find(string presented, string? header = null)
    {
        byte[]? hash = null;
        if (header is null || !_hashes.TryGetValue(header, out hash))
        {
            hash = TokenSource.Hash(presented);
            if (header is not null) _hashes.AddOrUpdate(header, hash);
        }
        TokenSource? found = null;
        foreach (var source in Sources)
        {
            if (source.Matches(hash)) found ??= source;
        }
        return found;
    }
}
