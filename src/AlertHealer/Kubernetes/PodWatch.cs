using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace AlertHealer.Kubernetes;

// A watch of pods from a resourceVersion, on the library's own list call (watch=true) and its
// source-generated models: one JSON event per line. The API server ends a watch whose version is
// too old with an ERROR event (410 Expired), given here as WatchExpiredException so that the
// caller lists again; a stream cut mid-event is an IOException, like any dropped connection.
public static class PodWatch
{
    public static async IAsyncEnumerable<(string Type, V1Pod Pod)> WatchPodsAsync(this IKubernetes client,
        string ns, string? labelSelector, string? resourceVersion, int? timeoutSeconds, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(ns, labelSelector: labelSelector,
            resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, watch: true, cancellationToken: ct);
        using var body = response.Response;
        await using var stream = await body.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            var (type, element) = Parse(line);
            switch (type)
            {
                case "ERROR":
                    var status = KubernetesJson.Deserialize<V1Status>(element);
                    throw new WatchExpiredException(status?.Code ?? 0, status?.Message ?? line);
                case "ADDED" or "MODIFIED" or "DELETED":
                    yield return (type, KubernetesJson.Deserialize<V1Pod>(element));
                    break;
                // BOOKMARK and anything newer: nothing about a pod.
            }
        }
    }

    private static (string Type, JsonElement Object) Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return (doc.RootElement.GetProperty("type").GetString() ?? "", doc.RootElement.GetProperty("object").Clone());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new IOException($"the watch stream ended mid-event: {ex.Message}", ex);
        }
    }
}

// The watch ended with an ERROR event, usually 410 Expired (its resourceVersion was compacted away).
public sealed class WatchExpiredException(int code, string message) : Exception($"watch ended by the API server ({code}): {message}")
{
    public int Code { get; } = code;
}
