using System.Collections.Concurrent;
using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>Builds pods shaped like the ones a kubelet reports for a Deployment's ReplicaSet.</summary>
internal sealed class PodFactory(TimeProvider time)
{
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private readonly ConcurrentDictionary<string, string> replicaSetUids = new(StringComparer.Ordinal);

    public V1Pod Create(string ns, string name, IDictionary<string, string> labels, bool ready, DateTimeOffset? readySince, bool controlled)
    {
        var now = time.GetUtcNow();
        var created = readySince is { } since && since < now ? since : now;
        var owner = OwnerName(name);
        var container = labels.TryGetValue("k8s-app", out var app) || labels.TryGetValue("app.kubernetes.io/name", out app) || labels.TryGetValue("app", out app)
            ? app
            : owner;
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Uid = Guid.NewGuid().ToString(),
                CreationTimestamp = created.UtcDateTime,
                Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
                GenerateName = controlled ? owner + "-" : null,
                OwnerReferences = controlled
                    ? [new V1OwnerReference
                    {
                        ApiVersion = "apps/v1",
                        Kind = "ReplicaSet",
                        Name = owner,
                        Uid = replicaSetUids.GetOrAdd(ns + "/" + owner, _ => Guid.NewGuid().ToString()),
                        Controller = true,
                        BlockOwnerDeletion = true,
                    }]
                    : null,
            },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = container, Image = $"{container}:test", ImagePullPolicy = "IfNotPresent" }],
                NodeName = "node-1",
                RestartPolicy = "Always",
                TerminationGracePeriodSeconds = 30,
                SchedulerName = "default-scheduler",
                ServiceAccountName = container,
            },
            Status = new V1PodStatus
            {
                Phase = "Running",
                StartTime = created.UtcDateTime,
                QosClass = "BestEffort",
                Conditions =
                [
                    Condition("PodReadyToStartContainers", true, created),
                    Condition("Initialized", true, created),
                    Condition("Ready", ready, readySince ?? now),
                    Condition("ContainersReady", ready, readySince ?? now),
                    Condition("PodScheduled", true, created),
                ],
                ContainerStatuses =
                [
                    new V1ContainerStatus
                    {
                        Name = container,
                        Image = $"{container}:test",
                        ImageID = $"{container}@sha256:{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}",
                        ContainerID = $"containerd://{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}",
                        Ready = ready,
                        Started = true,
                        RestartCount = 0,
                        State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = created.UtcDateTime } },
                    },
                ],
            },
        };
        if (!ready)
        {
            MarkUnready(pod);
        }

        return pod;
    }

    /// <summary>A copy of <paramref name="pod"/> whose Ready/ContainersReady conditions say <paramref name="ready"/>.</summary>
    public static V1Pod WithReadiness(V1Pod pod, bool ready, DateTimeOffset since)
    {
        var copy = ResourceVersionClock.Copy(pod);
        foreach (var condition in copy.Status.Conditions.Where(c => c.Type is "Ready" or "ContainersReady"))
        {
            condition.Status = ready ? "True" : "False";
            condition.LastTransitionTime = since.UtcDateTime;
            condition.Reason = null;
            condition.Message = null;
        }

        foreach (var status in copy.Status.ContainerStatuses)
        {
            status.Ready = ready;
        }

        if (!ready)
        {
            MarkUnready(copy);
        }

        return copy;
    }

    /// <summary>The name a ReplicaSet gives a replacement: the owner prefix plus five random characters.</summary>
    public static string ReplacementName(string deletedName) =>
        OwnerName(deletedName) + "-" + string.Concat(Enumerable.Range(0, 5).Select(_ => SuffixAlphabet[Random.Shared.Next(SuffixAlphabet.Length)]));

    /// <summary>The deleted name minus its last <c>-xxxxx</c> segment (the ReplicaSet's name).</summary>
    public static string OwnerName(string podName)
    {
        var dash = podName.LastIndexOf('-');
        return dash > 0 ? podName[..dash] : podName;
    }

    public static bool IsControlled(V1Pod pod) => pod.Metadata.OwnerReferences?.Any(o => o.Controller == true) == true;

    private static void MarkUnready(V1Pod pod)
    {
        var names = string.Join(' ', pod.Status.ContainerStatuses.Select(c => c.Name));
        foreach (var condition in pod.Status.Conditions.Where(c => c.Type is "Ready" or "ContainersReady"))
        {
            condition.Reason = "ContainersNotReady";
            condition.Message = $"containers with unready status: [{names}]";
        }
    }

    private static V1PodCondition Condition(string type, bool status, DateTimeOffset since) =>
        new() { Type = type, Status = status ? "True" : "False", LastTransitionTime = since.UtcDateTime, LastProbeTime = null };
}
