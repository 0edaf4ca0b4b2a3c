using System.Net;
using AlertHealer.Metrics;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace AlertHealer.Kubernetes;

// Every call to the API server gets a timeout (on the healer's clock), its latency counted under
// its operation, and its failures sorted into retry-later (ClusterUnavailableException) and
// will-not-help (ClusterAccessDeniedException). 404 and 409 are answers, left to the caller.
public sealed class KubernetesCalls(IOptions<KubernetesOptions> options, TimeProvider time, HealerMetrics metrics)
{
    // what: the call as a refusal or timeout names it (the operation by default).
    public async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken ct, string? what = null)
    {
        what ??= operation;
        var callTimeout = options.Value.CallTimeout;
        using var timeout = new CancellationTokenSource(callTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var started = time.GetTimestamp();
        var failed = true;
        try
        {
            var result = await call(linked.Token);
            failed = false;
            return result;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Answers, not faults: the caller turns them into null or Replaced.
            failed = false;
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ClusterUnavailableException($"Kubernetes {what} timed out after {callTimeout}");
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ClusterAccessDeniedException($"Kubernetes refused {what} ({(int)ex.Response.StatusCode}): {ex.Response.Content}", ex);
        }
        catch (HttpOperationException ex) when ((int)ex.Response.StatusCode >= 500 || ex.Response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new ClusterUnavailableException($"Kubernetes {what} answered {(int)ex.Response.StatusCode}", ex, answered: true);
        }
        catch (HttpRequestException ex)
        {
            throw new ClusterUnavailableException($"Kubernetes {what} failed: {ex.Message}", ex);
        }
        finally
        {
            metrics.DependencyCall("kubernetes", operation, time.GetElapsedTime(started), failed);
        }
    }
}
