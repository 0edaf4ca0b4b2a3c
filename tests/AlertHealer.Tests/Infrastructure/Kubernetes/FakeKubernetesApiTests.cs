using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using PodWatch = AlertHealer.Kubernetes.PodWatch;
using WatchExpiredException = AlertHealer.Kubernetes.WatchExpiredException;
using WatchingKubernetes = AlertHealer.Kubernetes.WatchingKubernetes;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// Drives the fake API server with the real client (and the service's own watch on it), so what passes here is what the service will see.
/// These tests write no request ledger: the ledger describes the service's own API use.
/// </summary>
public sealed class FakeKubernetesApiTests : IAsyncLifetime, IDisposable
{
    private const string Ns = "calico-system";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly Dictionary<string, string> WhiskerLabels = new() { ["k8s-app"] = "whisker", ["tier"] = "ui" };
    private static readonly Dictionary<string, string> GoldmaneLabels = new() { ["k8s-app"] = "goldmane", ["tier"] = "backend" };

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string directory = Directory.CreateTempSubdirectory("fake-kube-").FullName;
    private FakeKubernetesApi api = null!;
    private WatchingKubernetes client = null!;

    public async Task InitializeAsync()
    {
        api = await FakeKubernetesApi.StartAsync(time, ledgerPath: null);
        client = new WatchingKubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.WriteKubeconfig(directory)));
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    public void Dispose() => client.Dispose();

    [Fact]
    public async Task ListBySelectorReturnsOnlyMatchingPodsAtTheCurrentResourceVersion()
    {
        api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        api.AddPod(Ns, "goldmane-5c6d7e8f9-fghij", GoldmaneLabels, ready: true);
        api.AddPod("other", "whisker-7d9f8b6c4-zzzzz", WhiskerLabels, ready: true);

        var list = await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "k8s-app=whisker");

        var pod = Assert.Single(list.Items);
        Assert.Equal("whisker-7d9f8b6c4-abcde", pod.Metadata.Name);
        Assert.Equal(api.ResourceVersion, list.Metadata.ResourceVersion);
        Assert.Null(pod.Kind); // items of a real list carry no kind
    }

    [Theory]
    [InlineData("k8s-app in (whisker, goldmane)", "goldmane-5c6d7e8f9-fghij,whisker-7d9f8b6c4-abcde")]
    [InlineData("k8s-app notin (whisker)", "goldmane-5c6d7e8f9-fghij,plain")]
    [InlineData("k8s-app==goldmane,tier=backend", "goldmane-5c6d7e8f9-fghij")]
    [InlineData("tier!=ui", "goldmane-5c6d7e8f9-fghij,plain")]
    [InlineData("tier", "goldmane-5c6d7e8f9-fghij,whisker-7d9f8b6c4-abcde")]
    [InlineData("!tier", "plain")]
    [InlineData("", "goldmane-5c6d7e8f9-fghij,plain,whisker-7d9f8b6c4-abcde")]
    public async Task SelectorOperatorsFilterLikeTheApiServer(string selector, string expected)
    {
        api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        api.AddPod(Ns, "goldmane-5c6d7e8f9-fghij", GoldmaneLabels, ready: true);
        api.AddPod(Ns, "plain", new Dictionary<string, string>(), ready: true, controlled: false);

        var list = await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: selector);

        Assert.Equal(expected, string.Join(',', list.Items.Select(p => p.Metadata.Name)));
    }

    [Fact]
    public async Task InvalidSelectorAnswersBadRequest()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "k8s-app in whisker"));

        Assert.Equal(HttpStatusCode.BadRequest, e.Response.StatusCode);
        Assert.Equal("BadRequest", Status(e).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task GetReturnsAControlledPodWithReadyConditionAndTestClockTimestamps()
    {
        var readySince = time.GetUtcNow().AddMinutes(-10);
        var added = api.AddPod(Ns, "goldmane-5c6d7e8f9-fghij", GoldmaneLabels, ready: true, readySince);

        var pod = await client.CoreV1.ReadNamespacedPodAsync("goldmane-5c6d7e8f9-fghij", Ns);

        Assert.Equal(added.Metadata.Uid, pod.Metadata.Uid);
        Assert.True(Guid.TryParse(pod.Metadata.Uid, out _));
        Assert.Equal(added.Metadata.ResourceVersion, pod.Metadata.ResourceVersion);
        Assert.Equal("Running", pod.Status.Phase);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("ReplicaSet", "goldmane-5c6d7e8f9", true), (owner.Kind, owner.Name, owner.Controller));
        var ready = Assert.Single(pod.Status.Conditions, c => c.Type == "Ready");
        Assert.Equal("True", ready.Status);
        Assert.Equal(readySince.UtcDateTime, ready.LastTransitionTime);
        Assert.Equal(readySince.UtcDateTime, pod.Metadata.CreationTimestamp);
    }

    [Fact]
    public async Task EveryAnswerIsDatedByTheServersClockInWholeSeconds()
    {
        time.Advance(TimeSpan.FromMilliseconds(1700));

        using var list = await client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(Ns);
        using var http = new HttpClient();
        using var version = await http.GetAsync(new Uri(api.BaseAddress, "version"));

        // HTTP dates have whole seconds; the test clock, not the machine's, sets them.
        var expected = new DateTimeOffset(2026, 3, 1, 12, 0, 1, TimeSpan.Zero);
        Assert.Equal(expected, list.Response.Headers.Date);
        Assert.Equal(expected, version.Headers.Date);
    }

    [Fact]
    public async Task GetMissingPodThrowsHttpOperationExceptionWithNotFoundStatus()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodAsync("x", Ns));

        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}""",
            e.Response.Content);
    }

    [Fact]
    public async Task DeleteWithMatchingUidPreconditionRemovesThePod()
    {
        var pod = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);

        var deleted = await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } });

        Assert.Equal(pod.Metadata.Uid, deleted.Metadata.Uid);
        Assert.Equal(time.GetUtcNow().AddSeconds(30).UtcDateTime, deleted.Metadata.DeletionTimestamp);
        Assert.Empty(api.Pods(Ns));
        Assert.Single(api.Deletes());
    }

    [Fact]
    public async Task DeleteWithStaleUidPreconditionAnswersConflict()
    {
        var pod = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        var stale = Guid.NewGuid().ToString();

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = stale } }));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var status = Status(e);
        Assert.Equal("Conflict", status.GetProperty("reason").GetString());
        Assert.Equal($"Precondition failed: UID in precondition: {stale}, UID in object meta: {pod.Metadata.Uid}", status.GetProperty("message").GetString());
        Assert.Single(api.Pods(Ns));
        Assert.Empty(api.Deletes());
    }

    [Fact]
    public async Task DeleteOfMissingPodAnswersNotFound()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedPodAsync("gone", Ns));

        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        Assert.Equal(1, api.Count("delete", "pods"));
        Assert.Empty(api.Deletes());
    }

    [Fact]
    public async Task WatchSeesDeletedThenAddedWhenTheReplicaSetRecreatesThePod()
    {
        api.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        var pod = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        var list = await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "k8s-app=whisker");
        using var cts = new CancellationTokenSource(Patience);
        await using var events = PodWatch.WatchPodsAsync(client, Ns, "k8s-app=whisker",
            list.Metadata.ResourceVersion, timeoutSeconds: null, cts.Token).GetAsyncEnumerator(cts.Token);

        await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns);

        var (deletedType, deleted) = await NextAsync(events);
        Assert.Equal(("DELETED", pod.Metadata.Uid), (deletedType, deleted.Metadata.Uid));
        var (addedType, added) = await NextAsync(events);
        Assert.Equal("ADDED", addedType);
        Assert.NotEqual(pod.Metadata.Uid, added.Metadata.Uid);
        Assert.Matches("^whisker-7d9f8b6c4-[a-z0-9]{5}$", added.Metadata.Name);
        Assert.NotEqual(pod.Metadata.Name, added.Metadata.Name);
        Assert.Equal(WhiskerLabels, added.Metadata.Labels);
        Assert.Equal("True", added.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.True(long.Parse(added.Metadata.ResourceVersion) > long.Parse(deleted.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task WatchSeesModifiedWhenANotReadyReplacementBecomesReady()
    {
        api.ReplacementPolicy = ReplacementPolicy.RecreateNotReady;
        var pod = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        var from = api.ResourceVersion;
        await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns);
        var replacement = Assert.Single(api.Pods(Ns));
        Assert.Equal("False", replacement.Status.Conditions.Single(c => c.Type == "Ready").Status);
        var readyAt = time.GetUtcNow().AddSeconds(7);
        api.SetReady(Ns, replacement.Metadata.Name, ready: true, readyAt);

        using var cts = new CancellationTokenSource(Patience);
        await using var events = PodWatch.WatchPodsAsync(client, Ns, null, from, timeoutSeconds: null, cts.Token)
            .GetAsyncEnumerator(cts.Token);

        Assert.Equal("DELETED", (await NextAsync(events)).Type);
        Assert.Equal("ADDED", (await NextAsync(events)).Type);
        var (type, modified) = await NextAsync(events);
        Assert.Equal("MODIFIED", type);
        var ready = modified.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("True", readyAt.UtcDateTime), (ready.Status, ready.LastTransitionTime));
    }

    [Fact]
    public async Task WatchWithoutResourceVersionStartsWithTheCurrentPods()
    {
        api.AddPod(Ns, "goldmane-5c6d7e8f9-fghij", GoldmaneLabels, ready: false);
        api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        using var cts = new CancellationTokenSource(Patience);
        await using var events = PodWatch.WatchPodsAsync(client, Ns, "k8s-app=goldmane", null, timeoutSeconds: null, cts.Token)
            .GetAsyncEnumerator(cts.Token);

        var (type, pod) = await NextAsync(events);
        Assert.Equal(("ADDED", "goldmane-5c6d7e8f9-fghij"), (type, pod.Metadata.Name));

        api.SetReady(Ns, "whisker-7d9f8b6c4-abcde", ready: false);
        api.SetReady(Ns, "goldmane-5c6d7e8f9-fghij", ready: true);
        var (nextType, next) = await NextAsync(events);
        Assert.Equal(("MODIFIED", "goldmane-5c6d7e8f9-fghij"), (nextType, next.Metadata.Name));
        await api.WaitForRequestAsync(r => r.Verb == "watch", Patience);
    }

    [Fact]
    public async Task WatchFromACompactedResourceVersionGetsAnExpiredError()
    {
        var before = api.ResourceVersion;
        api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        api.CompactWatchHistory();
        using var cts = new CancellationTokenSource(Patience);

        var seen = new List<string>();
        var error = await Assert.ThrowsAsync<WatchExpiredException>(async () =>
        {
            await foreach (var (type, _) in PodWatch.WatchPodsAsync(client, Ns, null, before, timeoutSeconds: null, cts.Token))
            {
                seen.Add(type);
            }
        });

        Assert.Empty(seen);
        Assert.Equal(410, error.Code);
        Assert.Contains("too old resource version", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchCutMidEventEndsInAnIOExceptionAfterTheWholeEvents()
    {
        var pod = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        using var cts = new CancellationTokenSource(Patience);
        await using var events = PodWatch.WatchPodsAsync(client, Ns, "k8s-app=whisker", null, timeoutSeconds: null, cts.Token)
            .GetAsyncEnumerator(cts.Token);
        Assert.Equal(("ADDED", pod.Metadata.Uid), ((await NextAsync(events)).Type, events.Current.Pod.Metadata.Uid));
        await api.WaitForRequestAsync(r => r.Verb == "watch", Patience);

        api.CutWatchesMidEvent();

        var cut = await Assert.ThrowsAnyAsync<IOException>(async () => await events.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(0, api.OpenWatches);
        Assert.NotNull(cut.Message);
    }

    [Fact]
    public async Task RawWatchStreamsOneChunkedJsonEventPerLine()
    {
        var before = api.ResourceVersion;
        api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        api.RemovePod(Ns, "whisker-7d9f8b6c4-abcde");
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.ClientToken);

        using var response = await http.GetAsync($"api/v1/namespaces/{Ns}/pods?watch=1&resourceVersion={before}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = JsonDocument.Parse((await reader.ReadLineAsync().WaitAsync(Patience))!).RootElement;
        var second = JsonDocument.Parse((await reader.ReadLineAsync().WaitAsync(Patience))!).RootElement;

        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("ADDED", "Pod", "v1"), (first.GetProperty("type").GetString(), first.GetProperty("object").GetProperty("kind").GetString(), first.GetProperty("object").GetProperty("apiVersion").GetString()));
        Assert.Equal("DELETED", second.GetProperty("type").GetString());
        Assert.Equal(1, api.OpenWatches);
    }

    [Fact]
    public async Task LeaseCreateAndUpdateUseOptimisticConcurrency()
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "alerthealer", NamespaceProperty = Ns },
            Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15 },
        };
        var created = await client.CoordinationV1.CreateNamespacedLeaseAsync(lease, Ns);

        var duplicate = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.CreateNamespacedLeaseAsync(lease, Ns));
        Assert.Equal((HttpStatusCode.Conflict, "AlreadyExists"), (duplicate.Response.StatusCode, Status(duplicate).GetProperty("reason").GetString()));

        created.Spec.HolderIdentity = "b";
        var updated = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "alerthealer", Ns);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);
        Assert.Equal(created.Metadata.Uid, updated.Metadata.Uid);

        created.Spec.HolderIdentity = "c"; // still carries the old resourceVersion
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "alerthealer", Ns));
        Assert.Equal((HttpStatusCode.Conflict, "Conflict"), (stale.Response.StatusCode, Status(stale).GetProperty("reason").GetString()));
        Assert.Equal("b", api.Lease(Ns, "alerthealer")!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task TokenReviewAuthenticatesOnlyKnownTokens()
    {
        api.AddUser("alertmanager-token", "system:serviceaccount:monitoring:alertmanager", ["system:serviceaccounts"]);

        var known = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "alertmanager-token" } });
        var unknown = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "nope" } });

        Assert.True(known.Status.Authenticated);
        Assert.Equal("system:serviceaccount:monitoring:alertmanager", known.Status.User.Username);
        Assert.Equal(["system:serviceaccounts"], known.Status.User.Groups);
        Assert.False(unknown.Status.Authenticated ?? false);
    }

    [Fact]
    public async Task SubjectAccessReviewAllowsOnlyGrantedRequests()
    {
        api.Allow("alice", "create", "alerts", Ns);

        var allowed = await Review("alice", "create", "alerts", Ns);
        var otherVerb = await Review("alice", "delete", "alerts", Ns);
        var otherUser = await Review("bob", "create", "alerts", Ns);

        Assert.True(allowed.Status.Allowed);
        Assert.False(otherVerb.Status.Allowed);
        Assert.False(otherUser.Status.Allowed);
    }

    [Fact]
    public async Task RequestsAreRecordedInRbacTerms()
    {
        var pod = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "k8s-app=whisker");
        await client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, Ns);
        await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns);
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "l" } }, Ns);
        await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "t" } });
        await client.Version.GetCodeAsync();

        Assert.Equal(
            [
                ("list", "", "pods", Ns, "", "k8s-app=whisker", 200),
                ("get", "", "pods", Ns, pod.Metadata.Name, null, 200),
                ("delete", "", "pods", Ns, pod.Metadata.Name, null, 200),
                ("create", "coordination.k8s.io", "leases", Ns, "", null, 201),
                ("create", "authentication.k8s.io", "tokenreviews", "", "", null, 201),
                ("get", "", "", "", "", null, 200),
            ],
            api.Requests.Select(r => (r.Verb, r.ApiGroup, r.Resource, r.Namespace, r.Name, r.LabelSelector, r.StatusCode)));
        Assert.Equal(1, api.Count("delete", "pods"));
        Assert.Equal(0, api.Count("watch", "pods"));
    }

    [Fact]
    public async Task LedgerGetsOneJsonLinePerRequest()
    {
        var ledger = Path.Combine(directory, "ledger.jsonl");
        await using var recording = await FakeKubernetesApi.StartAsync(time, ledger);
        using var recorded = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(recording.WriteKubeconfig(Path.Combine(directory, "ledger"))));

        await recorded.CoreV1.ListNamespacedPodAsync(Ns);
        await recorded.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "l" } }, Ns);

        var lines = await File.ReadAllLinesAsync(ledger);
        Assert.Equal(
            [
                """{"verb":"list","apiGroup":"","resource":"pods","subresource":"","namespace":"calico-system"}""",
                """{"verb":"create","apiGroup":"coordination.k8s.io","resource":"leases","subresource":"","namespace":"calico-system"}""",
            ],
            lines);
    }

    [Fact]
    public async Task FailNextAnswersServiceUnavailableWithoutDeleting()
    {
        var pod = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        api.FailNext("delete", "pods", times: 1);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ServiceUnavailable"), (e.Response.StatusCode, Status(e).GetProperty("reason").GetString()));
        Assert.Single(api.Pods(Ns));

        await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Ns);
        Assert.Empty(api.Pods(Ns));
        Assert.Equal([503, 200], api.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task FailNextWithInternalErrorUsesTheInternalErrorReason()
    {
        api.FailNext("list", "pods", times: 2, statusCode: 500);

        for (var i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedPodAsync(Ns));
            Assert.Equal("InternalError", Status(e).GetProperty("reason").GetString());
        }

        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync(Ns)).Items);
    }

    [Fact]
    public async Task BeforeRequestCanReplaceThePodBetweenDecisionAndDelete()
    {
        var decided = api.AddPod(Ns, "whisker-7d9f8b6c4-abcde", WhiskerLabels, ready: true);
        api.BeforeRequest = request =>
        {
            if (request.Verb == "delete" && api.RemovePod(Ns, request.Name))
            {
                api.AddPod(Ns, request.Name, WhiskerLabels, ready: true);
            }

            return Task.CompletedTask;
        };

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedPodAsync(decided.Metadata.Name, Ns,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = decided.Metadata.Uid } }));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.NotEqual(decided.Metadata.Uid, Assert.Single(api.Pods(Ns)).Metadata.Uid);
    }

    [Fact]
    public async Task DelayNextHoldsOnlyTheNextMatchingRequest()
    {
        api.DelayNext("list", "pods", TimeSpan.FromMilliseconds(150));

        var clock = Stopwatch.StartNew();
        await client.CoreV1.ListNamespacedPodAsync(Ns);
        var delayed = clock.Elapsed;

        Assert.True(delayed >= TimeSpan.FromMilliseconds(140), $"took {delayed}");
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync(Ns)).Items);
    }

    [Fact]
    public async Task FiftyConcurrentRequestsAreAllAnsweredCorrectly()
    {
        var pods = Enumerable.Range(0, 25).Select(i => api.AddPod(Ns, $"whisker-7d9f8b6c4-{i:d5}", WhiskerLabels, ready: true)).ToList();

        var deletes = pods.Select(p => client.CoreV1.DeleteNamespacedPodAsync(p.Metadata.Name, Ns,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = p.Metadata.Uid } }));
        var reads = Enumerable.Range(0, 25).Select(_ => client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "k8s-app=whisker"));
        await Task.WhenAll(deletes.Cast<Task>().Concat(reads));

        Assert.Empty(api.Pods(Ns));
        Assert.Equal(25, api.Deletes().Count);
        Assert.Equal(50, api.Requests.Count);
        Assert.Equal(25, api.Deletes().Select(d => d.Name).Distinct().Count());
    }

    [Fact]
    public async Task RequestWithoutTheClientTokenAnswersUnauthorized()
    {
        using var http = new HttpClient { BaseAddress = api.BaseAddress };

        using var response = await http.GetAsync($"api/v1/namespaces/{Ns}/pods");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Unauthorized", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());
        Assert.Equal(401, Assert.Single(api.Requests).StatusCode);
    }

    [Fact]
    public async Task UnknownResourceAnswersNotFoundStatus()
    {
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.ClientToken);

        using var response = await http.GetAsync($"api/v1/namespaces/{Ns}/configmaps");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("Status", "NotFound", 404), (status.GetProperty("kind").GetString(), status.GetProperty("reason").GetString(), status.GetProperty("code").GetInt32()));
        var recorded = Assert.Single(api.Requests);
        Assert.Equal(("list", "configmaps", Ns), (recorded.Verb, recorded.Resource, recorded.Namespace));
    }

    private static async Task<(string Type, V1Pod Pod)> NextAsync(IAsyncEnumerator<(string Type, V1Pod Pod)> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Patience), "the watch ended");
        return events.Current;
    }

    private Task<V1SubjectAccessReview> Review(string user, string verb, string resource, string ns) =>
        client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user,
                ResourceAttributes = new V1ResourceAttributes { Verb = verb, Resource = resource, NamespaceProperty = ns },
            },
        });

    private static JsonElement Status(HttpOperationException e) => JsonDocument.Parse(e.Response.Content).RootElement;
}
