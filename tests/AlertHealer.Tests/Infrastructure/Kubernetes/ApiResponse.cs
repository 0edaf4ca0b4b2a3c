using Microsoft.AspNetCore.Http;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>A complete (non-streaming) answer: status code and JSON body.</summary>
internal sealed record ApiResponse(int StatusCode, string Json)
{
    public static ApiResponse Ok(object body) => new(StatusCodes.Status200OK, k8s.KubernetesJson.Serialize(body));

    public static ApiResponse Created(object body) => new(StatusCodes.Status201Created, k8s.KubernetesJson.Serialize(body));
}
