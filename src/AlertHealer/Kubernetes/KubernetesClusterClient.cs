using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using AlertHealer.Metrics;
using Microsoft.Extensions.Options;

namespace AlertHealer.Kubernetes;

public sealed class KubernetesClusterClient(
    IKubernetes client,
    IOptions<KubernetesOptions> options,
    TimeProvider time,
    KubernetesCalls calls,
    HealerMetrics metrics,
    ILogger<KubernetesClusterClient> logger) : IClusterClient
{
    private readonly KubernetesOptions _options = options.Value;

    public Task<IReadOnlyList<PodInfo>> ListPodsAsync(string ns, string labelSelector, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<PodInfo>>("list-pods", async t =>
        {
            using var answer = await client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(ns, labelSelector: labelSelector, cancellationToken: t);
            // The answer's Date (whole seconds, rounded down) is the cluster's now: durations
            // measured from the pods' timestamps use it, so our clock's skew cannot shorten them.
            var observedAt = answer.Response.Headers.Date;
            if (observedAt is { } serverNow) metrics.ClockSkew.Set((time.GetUtcNow() - serverNow).TotalSeconds);
            return answer.Body.Items.Select(p => p.ToInfo(observedAt)).ToList();
        }, ct);

    public Task<PodInfo?> GetPodAsync(string ns, string name, CancellationToken ct) =>
        ReadAsync("get-pod", async t =>
        {
            try
            {
                return (await client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: t)).ToInfo();
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, ct);

    public async Task<DeleteResult> DeletePodAsync(string ns, string name, string uid, CancellationToken ct)
    {
        var body = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid } };
        try
        {
            return await CallAsync("delete-pod", async t =>
            {
                await client.CoreV1.DeleteNamespacedPodAsync(name, ns, body, cancellationToken: t);
                return DeleteResult.Deleted;
            }, ct);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return DeleteResult.NotFound;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return DeleteResult.Replaced;
        }
    }

    public async Task<PodInfo?> WaitForReadyReplacementAsync(string ns, string labelSelector, string oldUid, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector, cancellationToken: ct);
                var ready = list.Items.Select(p => p.ToInfo()).FirstOrDefault(p => IsReplacement(p, oldUid));
                if (ready is not null) return ready;

                var events = client.WatchPodsAsync(ns, labelSelector, list.Metadata.ResourceVersion, timeoutSeconds: 60, ct);
                await foreach (var (type, pod) in events)
                {
                    if (type is "ADDED" or "MODIFIED" && IsReplacement(pod.ToInfo(), oldUid))
                        return pod.ToInfo();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or WatchExpiredException)
            {
                // A dropped or expired watch is normal; list again (a fresh resourceVersion) after a short pause.
                logger.LogInformation("Watch of {Namespace}/{Selector} ended: {Error}", ns, labelSelector, ex.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(1), time, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
        return null;
    }

    public Task ProbeAsync(CancellationToken ct) =>
        CallAsync("version", async t => await client.Version.GetCodeAsync(t), ct);

    private static bool IsReplacement(PodInfo pod, string oldUid) => pod.Uid != oldUid && pod.Ready && !pod.Terminating;

    private async Task<T> ReadAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await CallAsync(operation, call, ct);
            }
            catch (ClusterUnavailableException ex) when (attempt < _options.ReadRetries)
            {
                // Full jitter keeps several replicas from retrying in step.
                var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(50, 200 * (1 << attempt)));
                logger.LogWarning("Kubernetes {Operation} failed ({Error}); retry {Attempt} in {Delay}", operation, ex.Message, attempt + 1, delay);
                await Task.Delay(delay, time, ct);
            }
        }
    }

    private Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken ct) =>
        calls.RunAsync(operation, call, ct);
}
