using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AlertHealer.Heartbeat;
using AlertHealer.Policies;
using AlertHealer.Tests.Infrastructure;
using k8s.Models;

namespace AlertHealer.Tests.Heartbeat;

// The heartbeat as Alertmanager and Grafana deliver it, and what the app says about it.
internal static class Heartbeats
{
    public const string AlertName = HeartbeatOptions.DefaultAlertName;
    public const string Group = "alerthealer-heartbeat";
    public const string Fingerprint = "6b4d0c2e9a7f1358";
    public const string SelfNamespace = "alerthealer";

    public static void MakeHeartbeat(JsonObject alert, string fingerprint = Fingerprint)
    {
        alert["labels"] = new JsonObject { ["alertname"] = AlertName, ["severity"] = "none", ["rule_group"] = Group };
        alert["annotations"] = new JsonObject { ["summary"] = "Detection heartbeat" };
        alert["fingerprint"] = fingerprint;
    }

    // Alertmanager's body for the heartbeat route's group.
    public static string FromAlertmanager(string status = "firing") => Fixtures.Edit(a =>
    {
        MakeHeartbeat(a);
        a["status"] = status;
        if (status == "resolved") a["endsAt"] = Time(TestApp.Start.AddMinutes(-1));
    }, body: b =>
    {
        b["status"] = status;
        b["groupLabels"] = new JsonObject { ["alertname"] = AlertName };
        b["commonLabels"] = new JsonObject { ["alertname"] = AlertName, ["severity"] = "none", ["rule_group"] = Group };
        b["commonAnnotations"] = new JsonObject();
        b["groupKey"] = $"{{}}/{{alertname=\"{AlertName}\"}}:{{alertname=\"{AlertName}\"}}";
    });

    // Grafana's webhook contact point (version "1") with the same alert.
    public static string FromGrafana()
    {
        var root = JsonNode.Parse(File.ReadAllText(Fixtures.Path("grafana", "firing.json")))!.AsObject();
        foreach (var alert in root["alerts"]!.AsArray()) MakeHeartbeat(alert!.AsObject());
        root["commonLabels"] = new JsonObject { ["alertname"] = AlertName };
        root["groupLabels"] = new JsonObject { ["alertname"] = AlertName };
        return root.ToJsonString();
    }

    public static async Task<DetectionView> DetectionAsync(TestApp app) =>
        (await app.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Detection!;

    public static async Task<string> MetricsAsync(TestApp app) => await app.Anonymous.GetStringAsync("/metrics");

    // The value of one exact series in Prometheus text, as written (e.g. "+Inf").
    public static string Sample(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no series {series} in:\n{metrics}");
        return line[(series.Length + 1)..].Trim();
    }

    public static double Value(string metrics, string series) => double.Parse(Sample(metrics, series), CultureInfo.InvariantCulture);

    // Events about AlertHealer's own pod, by reason.
    public static IReadOnlyList<Eventsv1Event> SelfEvents(TestApp app, string reason) =>
        [.. app.Kube.Events(SelfNamespace).Where(e => e.Reason == reason)];

    // Moves the fake clock once, then waits in real time for what the monitor does about it.
    // One move: an Event in flight while the clock jumps would hit its call timeout.
    public static async Task AdvanceThenWaitAsync(TestApp app, TimeSpan by, Func<bool> condition, string what)
    {
        app.Time.Advance(by);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            await Task.Delay(25);
        }
        throw new TimeoutException($"No {what} within 15 s of moving the clock {by}; events: " +
            string.Join(", ", app.Kube.Events(SelfNamespace).Select(e => $"{e.Type} {e.Reason}")));
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
