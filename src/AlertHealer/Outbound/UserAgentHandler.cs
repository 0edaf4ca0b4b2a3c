using AlertHealer.Release;

namespace AlertHealer.Outbound;

// Every outbound request names this build (AlertHealer/<version>), so the API server's audit
// log, Loki's and Alertmanager's show which AlertHealer asked.
public sealed class UserAgentHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.UserAgent.Clear();
        request.Headers.UserAgent.ParseAdd(BuildInfo.UserAgent);
        return base.SendAsync(request, cancellationToken);
    }
}
