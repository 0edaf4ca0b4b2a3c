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

    // Compares against every role's token (all in constant time), so timing says nothing about which matched.
    public TokenSource? Find(string presented)
    {
        var hash = TokenSource.Hash(presented);
        TokenSource? found = null;
        foreach (var source in Sources)
        {
            if (source.Matches(hash)) found ??= source;
        }
        return found;
    }
}
