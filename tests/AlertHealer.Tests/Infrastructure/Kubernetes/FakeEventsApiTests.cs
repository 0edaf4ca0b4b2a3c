using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// events.k8s.io/v1 on the fake API server, driven by the real client: created once, validated like the
/// API server validates this version (pkg/apis/core/validation/events.go), kept for tests to read.
/// </summary>
public sealed class FakeEventsApiTests : IAsyncLifetime, IDisposable
{
    private const string Ns = "calico-system";

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string directory = Directory.CreateTempSubdirectory("fake-kube-events-").FullName;
    private FakeKubernetesApi api = null!;
    private k8s.Kubernetes client = null!;

    public async Task InitializeAsync()
    {
        api = await FakeKubernetesApi.StartAsync(time, ledgerPath: null);
        client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.WriteKubeconfig(directory)));
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    public void Dispose() => client.Dispose();

    [Fact]
    public async Task CreateAnswersCreatedWithUidResourceVersionAndCreationTimeAndKeepsTheEvent()
    {
        var before = long.Parse(api.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture);

        var created = await client.EventsV1.CreateNamespacedEventAsync(Valid("whisker-5b8d6c7f9-x2kqp.1"), Ns);

        Assert.Equal(("events.k8s.io/v1", "Event"), (created.ApiVersion, created.Kind));
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.True(long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > before);
        Assert.Equal(time.GetUtcNow().UtcDateTime, created.Metadata.CreationTimestamp);
        Assert.Equal(Ns, created.Metadata.NamespaceProperty);
        var stored = Assert.Single(api.Events(Ns));
        Assert.Equal((created.Metadata.Uid, "AlertHealerRestarted", "whisker-uid"), (stored.Metadata.Uid, stored.Reason, stored.Regarding.Uid));
        var read = await client.EventsV1.ReadNamespacedEventAsync("whisker-5b8d6c7f9-x2kqp.1", Ns);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        var list = await client.EventsV1.ListNamespacedEventAsync(Ns);
        Assert.Equal(created.Metadata.Uid, Assert.Single(list.Items).Metadata.Uid);
        Assert.Equal(201, Assert.Single(api.Requests, r => r.Verb == "create").StatusCode);
    }

    [Fact]
    public async Task MissingRequiredFieldsAreInvalidAndEachIsNamed()
    {
        var bare = new Eventsv1Event { Metadata = new V1ObjectMeta { Name = "bare.1" }, EventTime = time.GetUtcNow().UtcDateTime, Type = "Normal" };

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.EventsV1.CreateNamespacedEventAsync(bare, Ns));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        var status = Status(e);
        Assert.Equal(("Failure", "Invalid", 422), (status.GetProperty("status").GetString(), status.GetProperty("reason").GetString(), status.GetProperty("code").GetInt32()));
        var details = status.GetProperty("details");
        Assert.Equal(("bare.1", "events.k8s.io", "Event"), (details.GetProperty("name").GetString(), details.GetProperty("group").GetString(), details.GetProperty("kind").GetString()));
        var required = details.GetProperty("causes").EnumerateArray()
            .Where(c => c.GetProperty("reason").GetString() == "FieldValueRequired")
            .Select(c => c.GetProperty("field").GetString());
        Assert.Equal(["involvedObject.namespace", "reportingController", "reportingInstance", "action", "reason"],
            details.GetProperty("causes").EnumerateArray().Select(c => c.GetProperty("field").GetString()).Distinct());
        Assert.Equal(["reportingController", "reportingInstance", "action", "reason"], required);
        Assert.StartsWith("Event.events.k8s.io \"bare.1\" is invalid: [involvedObject.namespace: Invalid value: \"\": does not match event.namespace, reportingController: Required value",
            status.GetProperty("message").GetString());
        Assert.Empty(api.Events(Ns));
    }

    [Fact]
    public async Task AnEventWithoutEventTimeIsInvalid()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.EventsV1.CreateNamespacedEventAsync(Valid("no-time.1") with { EventTime = null }, Ns));

        var status = Status(e);
        Assert.Equal("Event.events.k8s.io \"no-time.1\" is invalid: eventTime: Required value", status.GetProperty("message").GetString());
        var cause = Assert.Single(status.GetProperty("details").GetProperty("causes").EnumerateArray());
        Assert.Equal(("FieldValueRequired", "eventTime"), (cause.GetProperty("reason").GetString(), cause.GetProperty("field").GetString()));
    }

    public static TheoryData<string, string> Invalids => new()
    {
        { "type", "type: Invalid value: \"\": has invalid value: Info" },
        { "note", "message: Invalid value: \"\": can have at most 1024 characters" },
        { "reportingInstance", "reportingInstance: Invalid value: \"\": can have at most 128 characters" },
        { "reportingController", "reportingController: Invalid value: \"alert healer\": name part must consist of alphanumeric characters" },
        { "deprecatedCount", "count: Invalid value: \"\": needs to be unset" },
        { "deprecatedSource", "source: Invalid value: \"\": needs to be unset" },
        { "name", "metadata.name: Invalid value: \"Whisker_Pod.1\": a lowercase RFC 1123 subdomain must consist of" },
    };

    [Theory]
    [MemberData(nameof(Invalids))]
    public async Task AFieldTheServerRefusesIsNamedInTheStatus(string field, string expected)
    {
        var valid = Valid("bad.1");
        var invalid = field switch
        {
            "type" => valid with { Type = "Info" },
            "note" => valid with { Note = new string('x', 1025) },
            "reportingInstance" => valid with { ReportingInstance = new string('r', 129) },
            "reportingController" => valid with { ReportingController = "alert healer" },
            "deprecatedCount" => valid with { DeprecatedCount = 3 },
            "deprecatedSource" => valid with { DeprecatedSource = new V1EventSource { Component = "alerthealer" } },
            _ => valid with { Metadata = new V1ObjectMeta { Name = "Whisker_Pod.1" } },
        };

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.EventsV1.CreateNamespacedEventAsync(invalid, Ns));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        Assert.Contains(expected, Status(e).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(api.Events(Ns));
    }

    [Fact]
    public async Task ADuplicateNameAlreadyExists()
    {
        await client.EventsV1.CreateNamespacedEventAsync(Valid("twice.1"), Ns);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.EventsV1.CreateNamespacedEventAsync(Valid("twice.1") with { Reason = "Other" }, Ns));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Equal("AlreadyExists", Status(e).GetProperty("reason").GetString());
        Assert.Equal("events.events.k8s.io \"twice.1\" already exists", Status(e).GetProperty("message").GetString());
        Assert.Equal("AlertHealerRestarted", Assert.Single(api.Events(Ns)).Reason);
    }

    [Fact]
    public async Task ABodyForAnotherNamespaceIsABadRequest()
    {
        var elsewhere = Valid("elsewhere.1") with { Metadata = new V1ObjectMeta { Name = "elsewhere.1", NamespaceProperty = "default" } };

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.EventsV1.CreateNamespacedEventAsync(elsewhere, Ns));

        Assert.Equal(HttpStatusCode.BadRequest, e.Response.StatusCode);
        Assert.Empty(api.Events(Ns));
    }

    [Fact]
    public async Task CreatesAreRecordedInRbacTerms()
    {
        await client.EventsV1.CreateNamespacedEventAsync(Valid("recorded.1"), Ns);

        var request = Assert.Single(api.Requests);
        Assert.Equal(("POST", "create", "events.k8s.io", "events", Ns, 201),
            (request.Method, request.Verb, request.ApiGroup, request.Resource, request.Namespace, request.StatusCode));
    }

    private Eventsv1Event Valid(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        EventTime = time.GetUtcNow().UtcDateTime,
        ReportingController = "alerthealer",
        ReportingInstance = "alerthealer-6d5f7c8b9-q2w3e",
        Action = "Delete",
        Reason = "AlertHealerRestarted",
        Type = "Normal",
        Regarding = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", NamespaceProperty = Ns, Name = "whisker-5b8d6c7f9-x2kqp", Uid = "whisker-uid" },
        Note = "Deleted by AlertHealer; audit 1.",
    };

    private static JsonElement Status(HttpOperationException e) => JsonDocument.Parse(e.Response.Content).RootElement;
}
