using System.Text.Json.Nodes;

namespace AlertHealer.Tests.Infrastructure;

// Alertmanager 0.25's real webhook bodies, and small edits of them for the scenarios.
public static class Fixtures
{
    public const string WedgedPod = "whisker-5b8d6c7f9-x2kqp";

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static string Firing => File.ReadAllText(Path("alertmanager", "firing.json"));
    public static string Resolved => File.ReadAllText(Path("alertmanager", "resolved.json"));

    public static JsonObject FiringJson => JsonNode.Parse(Firing)!.AsObject();

    // The firing body with each alert edited (fingerprint, labels, ...).
    public static string Edit(Action<JsonObject> alert, int copies = 1, Action<JsonObject>? body = null)
    {
        var root = FiringJson;
        var template = root["alerts"]![0]!.ToJsonString();
        var alerts = new JsonArray();
        for (var i = 0; i < copies; i++)
        {
            var a = JsonNode.Parse(template)!.AsObject();
            alert(a);
            alerts.Add(a);
        }
        root["alerts"] = alerts;
        body?.Invoke(root);
        return root.ToJsonString();
    }

    // A firing alert of a new incident: its own fingerprint, and optionally no pod label. An
    // incident that starts later (startsAt) can be about a pod created after the fixture's.
    public static string NewIncident(string fingerprint, bool namePod = false, string? pod = null, DateTimeOffset? startsAt = null) => Edit(a =>
    {
        a["fingerprint"] = fingerprint;
        if (startsAt is { } t) a["startsAt"] = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var labels = a["labels"]!.AsObject();
        if (pod is not null) labels["pod"] = pod;
        else if (!namePod) labels.Remove("pod");
    });
}
