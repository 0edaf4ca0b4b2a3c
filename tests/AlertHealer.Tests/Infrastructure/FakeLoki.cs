using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AlertHealer.Tests.Infrastructure;

// Loki's instant query endpoint, answering in Loki's JSON. Other paths get Loki's 404 text.
public sealed class FakeLoki : FakeHttpServer
{
    public const string QueryPath = "/loki/api/v1/query";
    public static readonly double SampleTime = 1732800000.123;

    private volatile Answer _answer = Json(200, EmptyVectorJson);

    private sealed record Answer(int Status, string Body, string ContentType);

    public static async Task<FakeLoki> StartAsync()
    {
        var loki = new FakeLoki();
        await loki.ListenAsync();
        return loki;
    }

    public IReadOnlyList<CapturedRequest> Queries => [.. Requests.Where(r => r.Path.EndsWith(QueryPath, StringComparison.Ordinal))];

    // One series per value, labelled like the whisker-backend rule's `sum by (namespace, pod)`.
    public void AnswerVector(params double[] values) => _answer = Json(200, VectorJson(values));

    public void AnswerEmptyVector() => _answer = Json(200, EmptyVectorJson);

    public void AnswerScalar(double value) => _answer = Json(200,
        $$$"""{"status":"success","data":{"resultType":"scalar","result":[{{{Time}}},"{{{Format(value)}}}"]}}""");

    public void AnswerStreams() => _answer = Json(200,
        $$$"""{"status":"success","data":{"resultType":"streams","result":[{"stream":{"pod":"whisker"},"values":[["1732800000123000000","failed to stream flows"]]}]}}""");

    // The Prometheus-style error body.
    public void AnswerError(int status, string errorType, string error) => _answer = Json(status,
        JsonSerializer.Serialize(new Dictionary<string, string> { ["status"] = "error", ["errorType"] = errorType, ["error"] = error }));

    // Loki 3 writes query errors as text/plain, e.g. "parse error at line 1, col 1: ...".
    public void AnswerText(int status, string text) => _answer = new Answer(status, text, "text/plain; charset=utf-8");

    protected override Task AnswerAsync(HttpContext context, CapturedRequest request)
    {
        if (request.Method != "GET" || !request.Path.EndsWith(QueryPath, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return context.Response.WriteAsync("404 page not found\n");
        }
        if (!request.Query.TryGetValue("query", out var query) || query.Length == 0)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("query parameter is required");
        }
        var answer = _answer;
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        return context.Response.WriteAsync(answer.Body);
    }

    private const string EmptyVectorJson = """{"status":"success","data":{"resultType":"vector","result":[],"stats":{}}}""";

    private static string Time => SampleTime.ToString("0.000", CultureInfo.InvariantCulture);

    private static string VectorJson(double[] values)
    {
        var series = values.Select((v, i) =>
            $$$"""{"metric":{"namespace":"calico-system","pod":"whisker-{{{i}}}"},"value":[{{{Time}}},"{{{Format(v)}}}"]}""");
        return """{"status":"success","data":{"resultType":"vector","result":["""
            + string.Join(",", series)
            + """],"stats":{"summary":{"execTime":0.001}}}}""";
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static Answer Json(int status, string body) => new(status, body, "application/json; charset=UTF-8");
}
