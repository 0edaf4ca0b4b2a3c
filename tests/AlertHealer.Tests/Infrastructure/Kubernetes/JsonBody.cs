using System.Text.Json;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

internal static class JsonBody
{
    /// <summary>Decodes a request body with the client's own serializer settings; a 400 Status when it is not valid JSON.</summary>
    public static T? Read<T>(string body, out ApiResponse? error)
        where T : class
    {
        error = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return k8s.KubernetesJson.Deserialize<T>(body);
        }
        catch (JsonException e)
        {
            error = KubernetesStatus.BadRequest($"the object provided is unrecognized: {e.Message}");
            return null;
        }
    }
}
