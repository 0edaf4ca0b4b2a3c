using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AlertHealer.Tests.Infrastructure;

// Alertmanager's API v2 for what the healer posts: 200 with an empty body for alerts,
// {"silenceID":"..."} for silences, and 400 with a message for a body it would reject.
public sealed class FakeAlertmanager : FakeHttpServer
{
    public const string AlertsPath = "/api/v2/alerts";
    public const string SilencesPath = "/api/v2/silences";
    public const string StatusPath = "/api/v2/status";

    private int _silences;

    public static async Task<FakeAlertmanager> StartAsync()
    {
        var alertmanager = new FakeAlertmanager();
        await alertmanager.ListenAsync();
        return alertmanager;
    }

    // Runs before an alert post is answered: what happens elsewhere while the post is on its way.
    public Func<CapturedRequest, Task>? WhileAlertPostInFlight { get; set; }

    public IReadOnlyList<CapturedRequest> AlertPosts => [.. Requests.Where(r => r.Path.EndsWith(AlertsPath, StringComparison.Ordinal))];
    public IReadOnlyList<CapturedRequest> SilencePosts => [.. Requests.Where(r => r.Path.EndsWith(SilencesPath, StringComparison.Ordinal))];

    // The alerts of one POST /api/v2/alerts body.
    public static JsonArray Alerts(CapturedRequest request) => JsonNode.Parse(request.Body)!.AsArray();

    public static Dictionary<string, string> Labels(JsonNode alert) =>
        alert["labels"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

    protected override async Task AnswerAsync(HttpContext context, CapturedRequest request)
    {
        if (request.Path.EndsWith(AlertsPath, StringComparison.Ordinal) && WhileAlertPostInFlight is { } inFlight) await inFlight(request);
        await AnswerNowAsync(context, request);
    }

    private Task AnswerNowAsync(HttpContext context, CapturedRequest request)
    {
        // The part of Alertmanager's status the healer reads: that it answers.
        if (request.Method == "GET" && request.Path.EndsWith(StatusPath, StringComparison.Ordinal))
            return WriteJsonAsync(context, 200, """{"cluster":{"status":"disabled","peers":[]},"versionInfo":{"version":"0.25.0"},"config":{"original":""},"uptime":"2026-11-28T13:00:00.000Z"}""");
        if (request.Method != "POST") return Write(context, 405, "method not allowed");
        JsonNode? body;
        try { body = JsonNode.Parse(request.Body); }
        catch (JsonException ex) { return Write(context, 400, ex.Message); }

        if (request.Path.EndsWith(AlertsPath, StringComparison.Ordinal))
        {
            if (body is not JsonArray alerts) return Write(context, 400, "json: cannot unmarshal object into Go value of type models.PostableAlerts");
            if (alerts.Any(a => a?["labels"] is not JsonObject { Count: > 0 })) return Write(context, 400, "labels in body is required");
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        }
        if (request.Path.EndsWith(SilencesPath, StringComparison.Ordinal))
        {
            if (body?["matchers"] is not JsonArray { Count: > 0 }) return Write(context, 400, "matchers in body is required");
            var id = $"{Interlocked.Increment(ref _silences):D8}-5b0c-4a5e-9f3d-000000000000";
            return WriteJsonAsync(context, 200, $$"""{"silenceID":"{{id}}"}""");
        }
        return Write(context, 404, "404 page not found");
    }

    private static Task Write(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(text));
    }
}
