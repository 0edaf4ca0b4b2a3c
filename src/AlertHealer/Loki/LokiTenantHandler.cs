using Microsoft.Extensions.Options;

namespace AlertHealer.Loki;

// Multi-tenant Loki wants the tenant on every request; single-tenant Loki ignores its absence.
public sealed class LokiTenantHandler(IOptions<LokiOptions> options) : DelegatingHandler
{
    public const string Header = "X-Scope-OrgID";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (options.Value.TenantId is { Length: > 0 } tenant)
        {
            request.Headers.Remove(Header);
            request.Headers.TryAddWithoutValidation(Header, tenant);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
