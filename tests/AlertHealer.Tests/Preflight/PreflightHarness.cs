using System.Text.Json.Nodes;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Preflight;

// An app with the preflight on, started on a cluster arranged before the start, so the first
// run (at start) already sees the pods; and the waits its tests share.
internal static class PreflightHarness
{
    public const string Policy = "whisker";
    public const string Identity = "alerthealer-6d5f7c8b9-p7r8s";
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    public static async Task<(FakeKubernetesApi Kube, FakeTimeProvider Time)> ClusterAsync(bool whisker = true)
    {
        var time = new FakeTimeProvider(TestApp.Start);
        var kube = await FakeKubernetesApi.StartAsync(time);
        kube.AddPod("calico-system", "goldmane-7d9f8b6c5-q4wzt", new Dictionary<string, string> { ["k8s-app"] = "goldmane" }, true, time.GetUtcNow() - TimeSpan.FromMinutes(10));
        if (whisker) kube.AddPod("calico-system", Fixtures.WedgedPod, new Dictionary<string, string> { ["k8s-app"] = "whisker" }, true, time.GetUtcNow() - TimeSpan.FromHours(1));
        return (kube, time);
    }

    public static Task<TestApp> StartAsync(FakeKubernetesApi kube, FakeTimeProvider time, Action<Dictionary<string, string?>>? configure = null) =>
        TestApp.StartAsync(s =>
        {
            s["AlertHealer:Preflight:Enabled"] = "true";
            s["AlertHealer:Kubernetes:Identity"] = Identity;
            configure?.Invoke(s);
        }, kube: kube, time: time);

    // The policy as GET /policies shows it once a preflight run newer than `after` is there.
    public static async Task<JsonObject> WaitForRunAsync(TestApp app, DateTimeOffset? after = null)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var policy = await PolicyAsync(app);
            if (policy["preflight"] is JsonObject run && (after is null || run["checkedAt"]!.GetValue<DateTimeOffset>() > after)) return policy;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No preflight run after {after} on GET /policies: {policy.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    public static async Task<JsonObject> PolicyAsync(TestApp app)
    {
        var view = JsonNode.Parse(await app.Reader.GetStringAsync("/policies"))!;
        return view["policies"]!.AsArray().Single(p => (string?)p!["name"] == Policy)!.AsObject();
    }

    // The checks GET /policies lists as failed: check name → reason.
    public static Dictionary<string, string> Failed(JsonObject policy) =>
        policy["preflight"]!["failed"]!.AsArray().ToDictionary(c => (string)c!["check"]!, c => (string)c!["reason"]!);

    public static IReadOnlyList<Eventsv1Event> PreflightEvents(FakeKubernetesApi kube) =>
        [.. kube.Events("alerthealer").Where(e => e.Reason == "PreflightFailed")];

    public static async Task<IReadOnlyList<Eventsv1Event>> WaitForPreflightEventsAsync(FakeKubernetesApi kube, int count)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (PreflightEvents(kube).Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Fewer than {count} PreflightFailed Events");
            await Task.Delay(20);
        }
        return PreflightEvents(kube);
    }

    public static string Series(string check, int value) => $"alerthealer_preflight_ok{{policy=\"{Policy}\",check=\"{check}\"}} {value}";

    // A failed preflight never stops the webhook: the alert is stored, decided, and the decision
    // records what the preflight said.
    public static async Task AssertWebhookStoresAndRecordsPreflightAsync(TestApp app, string state)
    {
        using var response = await app.PostWebhookAsync(Fixtures.Firing);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var entry = await app.WaitForAuditAsync(e => e.Trigger == AlertHealer.Audit.Triggers.Webhook, "for the stored alert");
        Assert.Equal(state, Assert.Single(entry.Steps, s => s.Name == "preflight").Result);
    }
}
