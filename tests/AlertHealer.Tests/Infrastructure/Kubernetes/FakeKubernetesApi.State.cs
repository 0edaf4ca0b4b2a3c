using k8s.Models;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>Cluster state a test arranges and inspects directly, plus the request recording.</summary>
public sealed partial class FakeKubernetesApi
{
    /// <summary>What the simulated ReplicaSet does after a controlled pod is deleted through the API. Default: nothing.</summary>
    public ReplacementPolicy ReplacementPolicy
    {
        get => pods.Replacement;
        set => pods.Replacement = value;
    }

    /// <summary>The cluster's current resourceVersion.</summary>
    public string ResourceVersion => clock.Current.ToString();

    /// <summary>
    /// Adds a Running pod. A controlled pod is owned by ReplicaSet <c>name</c> minus its last <c>-xxxxx</c> segment.
    /// Ready's lastTransitionTime is <paramref name="readySince"/>, or now on the test clock.
    /// </summary>
    public V1Pod AddPod(string ns, string name, IDictionary<string, string> labels, bool ready, DateTimeOffset? readySince = null, bool controlled = true) =>
        ResourceVersionClock.Copy(pods.Add(podFactory.Create(ns, name, labels, ready, readySince, controlled)));

    /// <summary>Flips the Ready and ContainersReady conditions (a MODIFIED event); lastTransitionTime is <paramref name="since"/> or now.</summary>
    public V1Pod SetReady(string ns, string name, bool ready, DateTimeOffset? since = null) =>
        ResourceVersionClock.Copy(pods.SetReady(ns, name, ready, since));

    /// <summary>Deletes a pod behind the API's back (a DELETED event, no replacement). False if it did not exist.</summary>
    public bool RemovePod(string ns, string name) => pods.Remove(ns, name);

    /// <summary>The pods of <paramref name="ns"/> ordered by name.</summary>
    public IReadOnlyList<V1Pod> Pods(string ns) =>
        [.. pods.List(PodFilter.TryCreate(ns, null, null, out _)!).Items.Select(ResourceVersionClock.Copy)];

    /// <summary>Drops the watch history, like an etcd compaction: watches from older resourceVersions get an ERROR 410 Expired event.</summary>
    public void CompactWatchHistory() => pods.Compact();

    /// <summary>Cuts every live pod watch mid-event: half a JSON line, then the connection reset.</summary>
    public void CutWatchesMidEvent() => pods.CutWatches();

    /// <summary>The stored lease, or null.</summary>
    public V1Lease? Lease(string ns, string name) => leases.Get(ns, name);

    /// <summary>The events.k8s.io/v1 Events stored in <paramref name="ns"/> ("" for every namespace), oldest first.</summary>
    public IReadOnlyList<Eventsv1Event> Events(string ns) => events.All(ns);

    /// <summary>Makes TokenReview authenticate <paramref name="token"/> as <paramref name="username"/> in <paramref name="groups"/>.</summary>
    public void AddUser(string token, string username, IEnumerable<string> groups) => access.AddUser(token, username, groups);

    /// <summary>Makes SubjectAccessReview allow <paramref name="verb"/> on <paramref name="resource"/> in <paramref name="ns"/> for a user or group; "*" matches anything.</summary>
    public void Allow(string username, string verb, string resource, string ns) => access.Allow(username, verb, resource, ns);

    /// <summary>
    /// Makes SelfSubjectAccessReview answer "not allowed" for the API client (AlertHealer) asking to <paramref name="verb"/>
    /// <paramref name="resource"/> in <paramref name="ns"/> ("" for cluster scope), as if the Role lost that verb. By default it
    /// allows exactly what the Roles and ClusterRoles in deploy/ grant the alerthealer ServiceAccount. Denying
    /// ("create", "selfsubjectaccessreviews", "") makes the reviews themselves 403.
    /// </summary>
    public void DenyClient(string verb, string resource, string ns) => access.DenyClient(verb, resource, ns);

    /// <summary>Pod watches currently streaming.</summary>
    public int OpenWatches => pods.OpenWatches;

    /// <summary>Every request answered so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => recorder.Snapshot();

    /// <summary>Pod deletes that succeeded (200).</summary>
    public IReadOnlyList<RecordedRequest> Deletes() =>
        [.. Requests.Where(r => r is { Verb: "delete", ApiGroup: "", Resource: "pods", Subresource: "", StatusCode: 200 })];

    /// <summary>Requests with this RBAC verb and resource (e.g. "watch", "pods"), whatever their outcome.</summary>
    public int Count(string verb, string resource) => Requests.Count(r => r.Is(verb, resource));

    /// <summary>The first request matching <paramref name="match"/>, waiting up to <paramref name="timeout"/> (real time) for it to be answered.</summary>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match, TimeSpan timeout) => recorder.WaitForAsync(match, timeout);
}
