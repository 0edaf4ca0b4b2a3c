using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// The pods of the fake cluster, their change history and live watches. One lock guards all of it;
/// stored pods are never mutated in place (every change stores a fresh copy), so they can be serialized outside the lock.
/// </summary>
internal sealed partial class PodStore(ResourceVersionClock clock, PodFactory factory, TimeProvider time)
{
    private readonly Lock gate = new();
    private readonly SortedDictionary<(string Ns, string Name), V1Pod> pods = new();
    private readonly List<PodEvent> history = [];
    private readonly List<PodSubscription> subscribers = [];
    private long oldestWatchable = clock.Current;

    public ReplacementPolicy Replacement { get; set; }

    public V1Pod Add(V1Pod pod)
    {
        lock (gate)
        {
            var key = (pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            if (pods.ContainsKey(key))
            {
                throw new InvalidOperationException($"pod {key.NamespaceProperty}/{key.Name} already exists");
            }

            return Store(key, pod, "ADDED", previous: null);
        }
    }

    public V1Pod? Get(string ns, string name)
    {
        lock (gate)
        {
            return pods.GetValueOrDefault((ns, name));
        }
    }

    public (IReadOnlyList<V1Pod> Items, long ResourceVersion) List(PodFilter filter)
    {
        lock (gate)
        {
            return (pods.Values.Where(filter.Matches).ToList(), clock.Current);
        }
    }

    public V1Pod SetReady(string ns, string name, bool ready, DateTimeOffset? since)
    {
        lock (gate)
        {
            var current = pods.GetValueOrDefault((ns, name)) ?? throw new KeyNotFoundException($"no pod {ns}/{name}");
            return Store((ns, name), PodFactory.WithReadiness(current, ready, since ?? time.GetUtcNow()), "MODIFIED", current);
        }
    }

    /// <summary>Removes a pod as if something other than the API caller deleted it (no replacement).</summary>
    public bool Remove(string ns, string name)
    {
        lock (gate)
        {
            if (!pods.TryGetValue((ns, name), out var current))
            {
                return false;
            }

            Erase(current, gracePeriodSeconds: 0);
            return true;
        }
    }

    /// <summary>DELETE with preconditions; on success the pod is gone and may be replaced per <see cref="Replacement"/>.</summary>
    public ApiResponse Delete(string ns, string name, V1Preconditions? preconditions, long? gracePeriodSeconds, bool dryRun)
    {
        lock (gate)
        {
            if (!pods.TryGetValue((ns, name), out var current))
            {
                return KubernetesStatus.NotFound("", "pods", name);
            }

            if (preconditions?.Uid is { } uid && uid != current.Metadata.Uid)
            {
                return KubernetesStatus.PreconditionFailed("", "pods", name,
                    $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Metadata.Uid}");
            }

            if (preconditions?.ResourceVersion is { } rv && rv != current.Metadata.ResourceVersion)
            {
                return KubernetesStatus.PreconditionFailed("", "pods", name,
                    $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.Metadata.ResourceVersion}");
            }

            var grace = gracePeriodSeconds ?? current.Spec?.TerminationGracePeriodSeconds ?? 30;
            if (dryRun)
            {
                return ApiResponse.Ok(Terminating(current, grace));
            }

            var deleted = Erase(current, grace);
            if (Replacement != ReplacementPolicy.None && PodFactory.IsControlled(current))
            {
                var replacementName = PodFactory.ReplacementName(name);
                while (pods.ContainsKey((ns, replacementName)))
                {
                    replacementName = PodFactory.ReplacementName(name);
                }

                var replacement = factory.Create(ns, replacementName, current.Metadata.Labels ?? new Dictionary<string, string>(),
                    Replacement == ReplacementPolicy.RecreateReady, readySince: null, controlled: true);
                Store((ns, replacementName), replacement, "ADDED", previous: null);
            }

            return ApiResponse.Ok(deleted);
        }
    }

    private V1Pod Erase(V1Pod current, long gracePeriodSeconds)
    {
        var deleted = Terminating(current, gracePeriodSeconds);
        deleted.Metadata.ResourceVersion = clock.Next().ToString();
        pods.Remove((current.Metadata.NamespaceProperty, current.Metadata.Name));
        Publish(new PodEvent(long.Parse(deleted.Metadata.ResourceVersion), "DELETED", deleted, null));
        return deleted;
    }

    private V1Pod Terminating(V1Pod current, long gracePeriodSeconds)
    {
        var copy = ResourceVersionClock.Copy(current);
        copy.Metadata.DeletionTimestamp = time.GetUtcNow().AddSeconds(gracePeriodSeconds).UtcDateTime;
        copy.Metadata.DeletionGracePeriodSeconds = gracePeriodSeconds;
        return copy;
    }

    private V1Pod Store((string, string) key, V1Pod pod, string type, V1Pod? previous)
    {
        var rv = clock.Next();
        var stored = ResourceVersionClock.Copy(pod);
        stored.Metadata.ResourceVersion = rv.ToString();
        pods[key] = stored;
        Publish(new PodEvent(rv, type, stored, previous));
        return stored;
    }
}
