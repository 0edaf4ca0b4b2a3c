using AlertHealer.Kubernetes;
using Microsoft.Extensions.Options;

namespace AlertHealer.Health;

// Warnings about AlertHealer itself (a check that failed, a detection path gone quiet), as Events
// about its own pod: `kubectl get events -n alerthealer` and `kubectl describe pod` show them
// before an incident needs the broken path. Best effort, like every Event.
public sealed class SelfEvents(IPodEvents events, IOptions<KubernetesOptions> options, IHostApplicationLifetime lifetime)
{
    // The downward API gives the pod's uid (metadata.uid), so the Event points at this very pod.
    public const string PodUidVariable = "POD_UID";

    public Task WarnAsync(string reason, string action, string message) => RecordAsync(PodEventNote.Warning, reason, action, message);

    // The all-clear after a warning, so the Events read as a story: stale, then recovered.
    public Task NoteAsync(string reason, string action, string message) => RecordAsync(PodEventNote.Normal, reason, action, message);

    private Task RecordAsync(string type, string reason, string action, string message)
    {
        var o = options.Value;
        var uid = Environment.GetEnvironmentVariable(PodUidVariable) ?? "";
        var note = new PodEventNote(o.LeaseNamespace, o.Identity, uid, type, reason, action, message);
        return events.RecordAsync(note, lifetime.ApplicationStopping);
    }
}
