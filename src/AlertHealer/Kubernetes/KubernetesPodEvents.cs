using System.Net;
using AlertHealer.Metrics;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace AlertHealer.Kubernetes;

// events.k8s.io/v1 Events, created once each (RBAC: create events in the pod's namespace).
public sealed class KubernetesPodEvents(
    IKubernetes client,
    IOptions<KubernetesOptions> options,
    TimeProvider time,
    HealerMetrics metrics,
    ILogger<KubernetesPodEvents> logger) : IPodEvents
{
    public const string ReportingController = "alerthealer";

    // The API server's limits (pkg/apis/core/validation/events.go).
    private const int InstanceLimit = 128;
    private const int NoteLimit = 1024;
    private const int NameLimit = 253;

    private readonly KubernetesOptions _options = options.Value;
    private long _lastNanos;

    public async Task RecordAsync(PodEventNote note, CancellationToken ct)
    {
        var body = Build(note);
        using var timeout = new CancellationTokenSource(_options.CallTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var started = time.GetTimestamp();
        string? failure = null;
        string? error = null;
        try
        {
            await client.EventsV1.CreateNamespacedEventAsync(body, note.Namespace, cancellationToken: linked.Token);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: nothing to count.
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            (failure, error) = ("timeout", $"no answer within {_options.CallTimeout}");
        }
        catch (HttpOperationException ex)
        {
            failure = ex.Response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "forbidden",
                HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError => "unavailable",
                _ => "rejected",
            };
            error = $"{(int)ex.Response.StatusCode}: {ex.Response.Content}";
        }
        catch (Exception ex)
        {
            (failure, error) = ("error", ex.Message);
        }
        finally
        {
            metrics.DependencyCall("kubernetes", "create-event", time.GetElapsedTime(started), failure is not null);
        }

        if (failure is null) return;
        metrics.EventFailed(failure);
        logger.LogWarning("Could not record Event {Reason} about pod {Namespace}/{Pod} ({Failure}): {Error}; the remediation is not affected",
            note.Reason, note.Namespace, note.Pod, failure, error);
    }

    private Eventsv1Event Build(PodEventNote note)
    {
        var now = time.GetUtcNow();
        return new Eventsv1Event
        {
            ApiVersion = "events.k8s.io/v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = Name(note.Pod, now), NamespaceProperty = note.Namespace },
            EventTime = now.UtcDateTime,
            ReportingController = ReportingController,
            ReportingInstance = Truncate(_options.Identity, InstanceLimit, ""),
            Action = note.Action,
            Reason = note.Reason,
            Type = note.Type,
            Regarding = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", NamespaceProperty = note.Namespace, Name = note.Pod, Uid = note.Uid is { Length: > 0 } uid ? uid : null },
            Note = Truncate(note.Message, NoteLimit, "..."),
        };
    }

    // <pod>.<unix nanoseconds in hex>, as client-go's recorder names them; strictly increasing
    // in this process so two Events in the same clock tick do not collide.
    private string Name(string pod, DateTimeOffset now)
    {
        var nanos = (now - DateTimeOffset.UnixEpoch).Ticks * 100;
        long last, next;
        do
        {
            last = Interlocked.Read(ref _lastNanos);
            next = Math.Max(nanos, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastNanos, next, last) != last);
        var suffix = "." + next.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        return Truncate(pod, NameLimit - suffix.Length, "").TrimEnd('.', '-') + suffix;
    }

    private static string Truncate(string value, int limit, string marker) =>
        value.Length <= limit ? value : value[..(limit - marker.Length)] + marker;
}
