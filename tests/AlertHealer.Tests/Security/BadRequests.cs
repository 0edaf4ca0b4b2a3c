using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

public enum Caller
{
    Anonymous,
    Webhook,
    WebhookStreaming,
    Operator,
    Reader,
}

public sealed record BadRequest(Caller Caller, HttpMethod Method, string Path, Func<HttpContent?> Body, HttpStatusCode Status);

// Requests a hostile or broken client might send, each with the one answer it must get.
public static class BadRequests
{
    private const string Webhook = "/webhook/alertmanager";
    private static readonly string Deep = string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100);

    public static readonly IReadOnlyDictionary<string, BadRequest> All = new Dictionary<string, BadRequest>
    {
        // Not JSON, or not the JSON we take.
        ["malformed json"] = Alert("{version: 4, status: firing}", HttpStatusCode.BadRequest),
        ["truncated body"] = Alert(Fixtures.Firing[..300], HttpStatusCode.BadRequest),
        ["empty body"] = Alert("", HttpStatusCode.BadRequest),
        ["json null"] = Alert("null", HttpStatusCode.BadRequest),
        ["json array instead of object"] = Alert($"[{Fixtures.Firing}]", HttpStatusCode.BadRequest),
        ["json string instead of object"] = Alert("\"firing\"", HttpStatusCode.BadRequest),
        ["version as a number"] = Alert(Body(r => r["version"] = 4), HttpStatusCode.BadRequest),
        ["alerts as an object"] = Alert(Body(r => r["alerts"] = new JsonObject()), HttpStatusCode.BadRequest),
        ["labels as an array"] = Alert(Each(a => a["labels"] = new JsonArray("alertname")), HttpStatusCode.BadRequest),
        ["startsAt as a number"] = Alert(Each(a => a["startsAt"] = 1700000000), HttpStatusCode.BadRequest),
        ["truncatedAlerts beyond int"] = Alert(Body(r => r["truncatedAlerts"] = 1e30), HttpStatusCode.BadRequest),
        ["invalid utf-8 in a label value"] = new(Caller.Webhook, HttpMethod.Post, Webhook, () => Bytes(InvalidUtf8()), HttpStatusCode.BadRequest),

        // Nulls where the service relies on a value.
        ["null version"] = Alert(Body(r => r["version"] = null), HttpStatusCode.BadRequest),
        ["null status"] = Alert(Body(r => r["status"] = null), HttpStatusCode.BadRequest),
        ["null alerts"] = Alert(Body(r => r["alerts"] = null), HttpStatusCode.BadRequest),
        ["null alert"] = Alert(Body(r => r["alerts"] = new JsonArray((JsonNode?)null)), HttpStatusCode.BadRequest),
        ["null alert status"] = Alert(Each(a => a["status"] = null), HttpStatusCode.BadRequest),
        ["null labels"] = Alert(Each(a => a["labels"] = null), HttpStatusCode.BadRequest),
        ["null alertname"] = Alert(Each(a => a["labels"]!["alertname"] = null), HttpStatusCode.BadRequest),
        ["null label value"] = Alert(Each(a => a["labels"]!["pod"] = null), HttpStatusCode.BadRequest),
        ["null annotation value"] = Alert(Each(a => a["annotations"]!["summary"] = null), HttpStatusCode.BadRequest),
        ["null startsAt"] = Alert(Each(a => a["startsAt"] = null), HttpStatusCode.BadRequest),
        ["null fingerprint"] = Alert(Each(a => a["fingerprint"] = null), HttpStatusCode.BadRequest),
        ["null group label value"] = Alert(Body(r => r["groupLabels"]!["pod"] = null), HttpStatusCode.BadRequest),
        ["null common label value"] = Alert(Body(r => r["commonLabels"]!["severity"] = null), HttpStatusCode.BadRequest),

        // Too much of something.
        ["label value of 2 MiB"] = Alert(Each(a => a["labels"]!["pod"] = new string('a', 2 * 1024 * 1024)), HttpStatusCode.RequestEntityTooLarge),
        ["chunked body of 2 MiB"] = new(Caller.WebhookStreaming, HttpMethod.Post, Webhook,
            () => new ChunkedContent(Encoding.UTF8.GetBytes(Each(a => a["labels"]!["pod"] = new string('a', 2 * 1024 * 1024)))), HttpStatusCode.RequestEntityTooLarge),
        ["201 alerts"] = Alert(Fixtures.Edit(_ => { }, copies: 201), HttpStatusCode.BadRequest),
        ["65 labels"] = Alert(Each(a => { for (var i = 0; i < 60; i++) a["labels"]![$"extra_{i}"] = "x"; }), HttpStatusCode.BadRequest),
        ["label name of 129 characters"] = Alert(Each(a => a["labels"]![new string('n', 129)] = "x"), HttpStatusCode.BadRequest),
        ["label value of 1025 characters"] = Alert(Each(a => a["labels"]!["pod"] = new string('v', 1025)), HttpStatusCode.BadRequest),
        ["65 annotations"] = Alert(Each(a => { for (var i = 0; i < 62; i++) a["annotations"]![$"note_{i}"] = "x"; }), HttpStatusCode.BadRequest),
        ["annotation over 8 KiB"] = Alert(Each(a => a["annotations"]!["description"] = new string('d', 8 * 1024 + 1)), HttpStatusCode.BadRequest),
        ["fingerprint of 65 hex digits"] = Alert(Each(a => a["fingerprint"] = new string('f', 65)), HttpStatusCode.BadRequest),
        ["depth 100 in an unknown field"] = Alert(Fixtures.Firing.Replace("\"receiver\": \"alerthealer\"", "\"receiver\": \"alerthealer\", \"extra\": " + Deep), HttpStatusCode.BadRequest),
        ["depth 100 in a label"] = Alert(Fixtures.Firing.Replace("\"severity\": \"warning\"", "\"severity\": " + Deep), HttpStatusCode.BadRequest),

        // Names and values that are not what they look like.
        ["NUL in a label value"] = Alert(Each(a => a["labels"]!["pod"] = "whisker\u0000x"), HttpStatusCode.BadRequest),
        ["NUL in a label name"] = Alert(Each(a => a["labels"]!["po\u0000d"] = "x"), HttpStatusCode.BadRequest),
        ["newline in a label value"] = Alert(Each(a => a["labels"]!["pod"] = "whisker\nx"), HttpStatusCode.BadRequest),
        ["RTL override in a label value"] = Alert(Each(a => a["labels"]!["pod"] = "whisker-\u202Eplq"), HttpStatusCode.BadRequest),
        ["RTL override in a label name"] = Alert(Each(a => a["labels"]!["po\u202Ed"] = "x"), HttpStatusCode.BadRequest),
        ["zero-width space in a label value"] = Alert(Each(a => a["labels"]!["namespace"] = "calico\u200B-system"), HttpStatusCode.BadRequest),
        ["lone surrogate in a label value"] = Alert(Fixtures.Firing.Replace("\"severity\": \"warning\"", "\"severity\": \"warn\\ud800\""), HttpStatusCode.BadRequest),
        ["lone surrogate in a label name"] = Alert(Fixtures.Firing.Replace("\"severity\": \"warning\"", "\"sev\\udc00\": \"warning\""), HttpStatusCode.BadRequest),
        ["fingerprint with a trailing newline"] = Alert(Each(a => a["fingerprint"] = "fdf329a875a40fd2\n"), HttpStatusCode.BadRequest),
        ["duplicate top-level key"] = Alert(Fixtures.Firing.Replace("\"version\": \"4\"", "\"version\": \"4\", \"version\": \"4\""), HttpStatusCode.BadRequest),
        ["duplicate label key"] = Alert(Fixtures.Firing.Replace("\"severity\": \"warning\"", "\"severity\": \"warning\", \"severity\": \"critical\""), HttpStatusCode.BadRequest),

        // Times that are not real.
        ["startsAt in year 0001"] = Alert(Each(a => a["startsAt"] = "0001-01-01T00:00:00Z"), HttpStatusCode.BadRequest),
        ["startsAt in year 1999"] = Alert(Each(a => a["startsAt"] = "1999-12-31T23:59:59Z"), HttpStatusCode.BadRequest),
        ["startsAt in year 9999"] = Alert(Each(a => a["startsAt"] = "9999-12-31T23:59:59Z"), HttpStatusCode.BadRequest),
        ["startsAt a day ahead"] = Alert(Each(a => a["startsAt"] = TestApp.Start.AddDays(1).ToString("O")), HttpStatusCode.BadRequest),
        ["startsAt past the calendar's end"] = Alert(Each(a => a["startsAt"] = "9999-12-31T23:59:59-14:00"), HttpStatusCode.BadRequest),
        ["endsAt in year 9999"] = Alert(Each(a => { a["status"] = "resolved"; a["endsAt"] = "9999-12-31T23:59:59Z"; }), HttpStatusCode.BadRequest),

        // Wrong content type or caller.
        ["text/plain body"] = Alert(Fixtures.Firing, HttpStatusCode.UnsupportedMediaType, "text/plain"),
        ["form body"] = Alert("version=4", HttpStatusCode.UnsupportedMediaType, "application/x-www-form-urlencoded"),
        ["json in utf-16 charset"] = Alert(Fixtures.Firing, HttpStatusCode.UnsupportedMediaType, "application/json; charset=utf-16"),
        ["json in an unknown charset"] = Alert(Fixtures.Firing, HttpStatusCode.UnsupportedMediaType, "application/json; charset=klingon"),
        ["no content type"] = new(Caller.Webhook, HttpMethod.Post, Webhook, () => new ByteArrayContent(Encoding.UTF8.GetBytes(Fixtures.Firing)), HttpStatusCode.UnsupportedMediaType),
        ["webhook without a token"] = new(Caller.Anonymous, HttpMethod.Post, Webhook, () => Json(Fixtures.Firing), HttpStatusCode.Unauthorized),
        ["webhook with the operator token"] = new(Caller.Operator, HttpMethod.Post, Webhook, () => Json(Fixtures.Firing), HttpStatusCode.Forbidden),

        // /simulate takes the same body, with its own size limit.
        ["simulate body over 256 KiB"] = Post(Caller.Operator, "/simulate", Body(r => r["padding"] = new string('p', 300 * 1024)), HttpStatusCode.RequestEntityTooLarge),
        ["simulate null label value"] = Post(Caller.Operator, "/simulate", Each(a => a["labels"]!["pod"] = null), HttpStatusCode.BadRequest),
        ["simulate text/plain body"] = Post(Caller.Operator, "/simulate", Fixtures.Firing, HttpStatusCode.UnsupportedMediaType, "text/plain"),

        // /remediate: the one that deletes on demand.
        ["remediate unknown policy"] = Remediate("{\"policy\":\"goldmane\",\"reason\":\"x\"}", HttpStatusCode.NotFound),
        ["remediate reason of 501 characters"] = Remediate($"{{\"policy\":\"whisker\",\"reason\":\"{new string('r', 501)}\"}}", HttpStatusCode.BadRequest),
        ["remediate body over 16 KiB"] = Remediate($"{{\"policy\":\"whisker\",\"reason\":\"{new string('r', 17 * 1024)}\"}}", HttpStatusCode.RequestEntityTooLarge),
        ["remediate null policy"] = Remediate("{\"policy\":null,\"reason\":\"x\"}", HttpStatusCode.BadRequest),
        ["remediate null reason"] = Remediate("{\"policy\":\"whisker\",\"reason\":null}", HttpStatusCode.BadRequest),
        ["remediate null dryRun"] = Remediate("{\"policy\":\"whisker\",\"reason\":\"x\",\"dryRun\":null}", HttpStatusCode.BadRequest),
        ["remediate dryRun as a string"] = Remediate("{\"policy\":\"whisker\",\"reason\":\"x\",\"dryRun\":\"false\"}", HttpStatusCode.BadRequest),
        ["remediate policy as SQL"] = Remediate("{\"policy\":\"whisker' OR 1=1 --\",\"reason\":\"x\"}", HttpStatusCode.BadRequest),
        ["remediate policy with a newline"] = Remediate("{\"policy\":\"whisker\\n\",\"reason\":\"x\"}", HttpStatusCode.BadRequest),
        ["remediate empty object"] = Remediate("{}", HttpStatusCode.BadRequest),
        ["remediate array"] = Remediate("[{\"policy\":\"whisker\",\"reason\":\"x\"}]", HttpStatusCode.BadRequest),
        ["remediate text/plain body"] = Post(Caller.Operator, "/remediate", "{\"policy\":\"whisker\",\"reason\":\"x\"}", HttpStatusCode.UnsupportedMediaType, "text/plain"),
        ["remediate with the reader token"] = Post(Caller.Reader, "/remediate", "{\"policy\":\"whisker\",\"reason\":\"x\"}", HttpStatusCode.Forbidden),

        // /audit and /policies: query strings and paths.
        ["audit negative limit"] = Get("/audit?limit=-1", HttpStatusCode.BadRequest),
        ["audit zero limit"] = Get("/audit?limit=0", HttpStatusCode.BadRequest),
        ["audit absurd limit"] = Get("/audit?limit=99999999999999999999", HttpStatusCode.BadRequest),
        ["audit limit not a number"] = Get("/audit?limit=ten", HttpStatusCode.BadRequest),
        ["audit garbage cursor"] = Get("/audit?cursor=%00%FF..%2F'--", HttpStatusCode.BadRequest),
        ["audit cursor of a negative id"] = Get("/audit?cursor=" + System.Buffers.Text.Base64Url.EncodeToString("before:-5"u8), HttpStatusCode.BadRequest),
        ["audit since not a time"] = Get("/audit?since=yesterday", HttpStatusCode.BadRequest),
        ["audit since after until"] = Get("/audit?since=2026-12-01T00:00:00Z&until=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest),
        ["audit outcome as SQL"] = Get("/audit?outcome=" + Uri.EscapeDataString("restarted' OR '1'='1"), HttpStatusCode.BadRequest),
        ["audit policy over 200 characters"] = Get("/audit?policy=" + new string('p', 201), HttpStatusCode.BadRequest),
        ["audit path traversal"] = Get("/audit/..%2f..%2fetc%2fpasswd", HttpStatusCode.NotFound),
        ["audit id not a number"] = Get("/audit/1%20OR%201=1", HttpStatusCode.NotFound),
        ["audit without a token"] = new(Caller.Anonymous, HttpMethod.Get, "/audit", () => null, HttpStatusCode.Unauthorized),
        ["pause path traversal"] = Post(Caller.Operator, "/policies/..%2F/pause", "{\"reason\":\"x\"}", HttpStatusCode.NotFound),
        ["pause unknown policy"] = Post(Caller.Operator, "/policies/goldmane/pause", "{\"reason\":\"x\"}", HttpStatusCode.NotFound),
        ["pause malformed json"] = Post(Caller.Operator, "/policies/whisker/pause", "{\"reason\":", HttpStatusCode.BadRequest),
        ["pause text/plain body"] = Post(Caller.Operator, "/policies/whisker/pause", "stop", HttpStatusCode.UnsupportedMediaType, "text/plain"),
        ["pause body over 16 KiB"] = Post(Caller.Operator, "/policies/whisker/pause", $"{{\"reason\":\"{new string('r', 17 * 1024)}\"}}", HttpStatusCode.RequestEntityTooLarge),
    };

    public static TheoryData<string> Names() => new(All.Keys);

    private static BadRequest Alert(string body, HttpStatusCode status, string contentType = "application/json") =>
        Post(Caller.Webhook, Webhook, body, status, contentType);

    private static BadRequest Remediate(string body, HttpStatusCode status) => Post(Caller.Operator, "/remediate", body, status);

    private static BadRequest Post(Caller caller, string path, string body, HttpStatusCode status, string contentType = "application/json") =>
        new(caller, HttpMethod.Post, path, () => Typed(body, contentType), status);

    private static BadRequest Get(string path, HttpStatusCode status) => new(Caller.Reader, HttpMethod.Get, path, () => null, status);

    private static string Each(Action<JsonObject> alert) => Fixtures.Edit(alert);

    private static string Body(Action<JsonObject> body) => Fixtures.Edit(_ => { }, body: body);

    private static StringContent Json(string body) => Typed(body, "application/json");

    private static StringContent Typed(string body, string contentType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    // The reader only checks UTF-8 in strings it decodes, so the bad bytes go where it must.
    private static byte[] InvalidUtf8()
    {
        const string Marker = "\"severity\": \"warning\"";
        var firing = Fixtures.Firing;
        var at = firing.IndexOf(Marker, StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(firing[..at] + "\"severity\": \"warn"), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\"" + firing[(at + Marker.Length)..])];
    }

    private static ByteArrayContent Bytes(byte[] body) => new(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
}
