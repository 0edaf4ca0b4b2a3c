namespace AlertHealer.Kubernetes;

// Kubernetes Events about the pods the healer acted on: where operators look first
// (`kubectl get events -n calico-system`, `kubectl describe pod`).
public interface IPodEvents
{
    // Writes one Event. Never throws and never waits longer than the call timeout: an Event is
    // best effort, so a failure is logged and counted (alerthealer_events_failed_total).
    Task RecordAsync(PodEventNote note, CancellationToken ct);
}

// What an Event says about one pod. Type is "Normal" or "Warning"; Action is what was done
// (e.g. "Delete"); Message becomes the Event's note.
public sealed record PodEventNote(string Namespace, string Pod, string Uid, string Type, string Reason, string Action, string Message)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

// The simulated cluster has no API server to write to: the log is where the demo shows them.
public sealed class LoggedPodEvents(ILogger<LoggedPodEvents> logger) : IPodEvents
{
    public Task RecordAsync(PodEventNote note, CancellationToken ct)
    {
        logger.LogInformation("Event {Type} {Reason} ({Action}) about pod {Namespace}/{Pod} (uid {Uid}): {Message}",
            note.Type, note.Reason, note.Action, note.Namespace, note.Pod, note.Uid, note.Message);
        return Task.CompletedTask;
    }
}
