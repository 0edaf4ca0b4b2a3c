using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>/version, /api and /apis: just enough discovery for tools that probe the server.</summary>
internal static class DiscoveryEndpoints
{
    private static readonly string[] Groups = ["coordination.k8s.io", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io"];

    public static ApiResponse? Handle(RecordedRequest request, Uri baseAddress)
    {
        if (request.Method != "GET")
        {
            return null;
        }

        return request.Path.TrimEnd('/') switch
        {
            "/version" => ApiResponse.Ok(new VersionInfo
            {
                Major = "1",
                Minor = "34",
                GitVersion = "v1.34.0",
                GitCommit = "0000000000000000000000000000000000000000",
                GitTreeState = "clean",
                BuildDate = "2025-08-27T00:00:00Z",
                GoVersion = "go1.24.6",
                Compiler = "gc",
                Platform = "linux/amd64",
            }),
            "/api" => ApiResponse.Ok(new V1APIVersions
            {
                Kind = "APIVersions",
                Versions = ["v1"],
                ServerAddressByClientCIDRs = [new V1ServerAddressByClientCIDR { ClientCIDR = "0.0.0.0/0", ServerAddress = baseAddress.Authority }],
            }),
            "/apis" => ApiResponse.Ok(new V1APIGroupList
            {
                ApiVersion = "v1",
                Kind = "APIGroupList",
                Groups = [.. Groups.Select(g => new V1APIGroup
                {
                    Name = g,
                    Versions = [new V1GroupVersionForDiscovery { GroupVersion = $"{g}/v1", Version = "v1" }],
                    PreferredVersion = new V1GroupVersionForDiscovery { GroupVersion = $"{g}/v1", Version = "v1" },
                })],
            }),
            _ => null,
        };
    }
}
