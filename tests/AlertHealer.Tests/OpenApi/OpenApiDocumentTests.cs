using System.Net;
using System.Text.Json.Nodes;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Security;

namespace AlertHealer.Tests.OpenApi;

public sealed class OpenApiDocumentTests
{
    // Routes the app answers that the document leaves out on purpose, and why.
    private static readonly Dictionary<string, string> Excluded = new()
    {
        ["GET /openapi/{documentName}.json"] = "the document itself: a description of the API, not part of it",
    };

    // Whole route prefixes left out, and why.
    private const string UiPrefix = "GET /ui"; // the web page's static files (HTML, CSS, JS), not part of the API

    private static bool IsExcluded(string key) => Excluded.ContainsKey(key) || key.StartsWith(UiPrefix, StringComparison.Ordinal);

    private static readonly string[] WebhookProblems = ["400", "401", "403", "413", "415", "503"];

    [Fact]
    public async Task TheServedDocumentIsValidOpenApi()
    {
        await using var app = await TestApp.StartAsync();
        var document = await ServedDocument.GetAsync(app);

        var result = await ServedDocument.ValidateAsync(document);

        Assert.True(result["valid"]!.GetValue<bool>(), ServedDocument.Show(result));
        Assert.StartsWith("3.1", result["openapi"]!.GetValue<string>());
        Assert.Equal("AlertHealer", result["title"]!.GetValue<string>());
        Assert.Equal(document["paths"]!.AsObject().Count, result["paths"]!.GetValue<int>());
    }

    [Fact]
    public async Task TheValidatorRefusesABrokenDocument()
    {
        await using var app = await TestApp.StartAsync();
        var document = await ServedDocument.GetAsync(app);
        ServedDocument.Operation(document, "POST", "/webhook/alertmanager")!["responses"]!["200"]!["content"]!["application/json"]!["schema"] =
            new JsonObject { ["$ref"] = "#/components/schemas/NoSuchSchema" };

        var result = await ServedDocument.ValidateAsync(document);

        Assert.False(result["valid"]!.GetValue<bool>(), ServedDocument.Show(result));
        Assert.Contains("NoSuchSchema", result["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task EveryMappedEndpointIsDocumented()
    {
        await using var app = await TestApp.StartAsync();
        var document = await ServedDocument.GetAsync(app);
        var mapped = ServedDocument.Mapped(app).Select(o => o.Key).ToList();

        var missing = mapped.Where(k => !IsExcluded(k)).Except(ServedDocument.Operations(document)).ToList();
        var unmapped = ServedDocument.Operations(document).Except(mapped).ToList();

        Assert.True(missing.Count == 0, "mapped but not documented: " + string.Join(", ", missing));
        Assert.True(unmapped.Count == 0, "documented but not mapped: " + string.Join(", ", unmapped));
        // An exclusion for a route that no longer exists would hide the next one of that name.
        Assert.All(Excluded.Keys, key => Assert.Contains(key, mapped));
        Assert.All(Excluded.Keys, key => Assert.DoesNotContain(key, ServedDocument.Operations(document)));
        Assert.Contains("POST /webhook/alertmanager", mapped);
        Assert.Contains("GET /metrics", mapped);
    }

    [Fact]
    public async Task TheWebhookDocumentsItsBodyAndEveryProblemItCanAnswer()
    {
        await using var app = await TestApp.StartAsync();
        var document = await ServedDocument.GetAsync(app);

        var webhook = ServedDocument.Operation(document, "POST", "/webhook/alertmanager")!;

        Assert.Equal("#/components/schemas/AlertmanagerWebhook", webhook["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/WebhookAck", webhook["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Subset(ServedDocument.ResponseStatuses(webhook).ToHashSet(), WebhookProblems.ToHashSet());
        Assert.All(WebhookProblems, status =>
            Assert.NotNull(webhook["responses"]![status]!["content"]?["application/problem+json"]));
        Assert.NotNull(document["components"]!["schemas"]!["AlertmanagerWebhook"]!["properties"]!["alerts"]);
    }

    [Fact]
    public async Task EndpointsThatNeedATokenRequireBearerAndAnonymousOnesDoNot()
    {
        await using var app = await TestApp.StartAsync();
        var document = await ServedDocument.GetAsync(app);
        var operations = ServedDocument.Mapped(app).Where(o => !IsExcluded(o.Key)).ToList();

        var scheme = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.Null(document["security"]);
        foreach (var mapped in operations)
        {
            var operation = ServedDocument.Operation(document, mapped.Method, mapped.Path)!;
            if (mapped.RequiresToken)
            {
                var requirement = Assert.Single(operation["security"]!.AsArray())!.AsObject();
                Assert.Equal("bearer", Assert.Single(requirement).Key);
                Assert.Subset(ServedDocument.ResponseStatuses(operation).ToHashSet(), new HashSet<string> { "401", "403" });
            }
            else
            {
                Assert.True(operation["security"] is null, $"{mapped.Key} needs no token but documents {operation["security"]}");
            }
        }
        Assert.Equal(
            ["GET /healthz", "GET /metrics", "GET /readyz"],
            operations.Where(o => !o.RequiresToken).Select(o => o.Key).Order());
        Assert.Null(ServedDocument.Operation(document, "GET", "/healthz")!["security"]);
    }

    // The document's word against the running app: a secured operation refuses an anonymous
    // caller with 401, an anonymous one answers it.
    [Fact]
    public async Task WhatTheDocumentSaysAboutTokensIsWhatTheAppDoes()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var document = await ServedDocument.GetAsync(app);

        foreach (var key in ServedDocument.Operations(document))
        {
            var (method, path) = (key.Split(' ')[0], key.Split(' ')[1]);
            var operation = ServedDocument.Operation(document, method, path)!;
            using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{name}", "whisker").Replace("{id}", "1"));
            using var response = await app.Anonymous.SendAsync(request);

            if (operation["security"] is not null)
            {
                await EdgeAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
            }
            else
            {
                Assert.True(response.IsSuccessStatusCode, $"{key} anonymously: {(int)response.StatusCode}");
            }
        }
    }

    // Problems the pipeline answers before a handler runs are documented wherever they can happen.
    [Fact]
    public async Task EdgeProblemsAreDocumentedWhereTheEdgeAnswersThem()
    {
        await using var app = await TestApp.StartAsync();
        var document = await ServedDocument.GetAsync(app);
        var operations = ServedDocument.Mapped(app).Where(o => !IsExcluded(o.Key)).ToList();

        var bodies = operations.Where(o => o.TakesJsonBody).ToList();
        var limited = operations.Where(o => o.IsRateLimited).ToList();
        Assert.Equal(7, bodies.Count);
        // The webhook's limit (Limits:WebhookPerMinute) is off unless set, but documented.
        Assert.Equal(["POST /remediate", "POST /simulate", "POST /webhook/alertmanager"], limited.Select(o => o.Key).Order());
        foreach (var mapped in bodies)
        {
            var operation = ServedDocument.Operation(document, mapped.Method, mapped.Path)!;
            Assert.NotNull(operation["requestBody"]!["content"]!["application/json"]);
            Assert.Subset(ServedDocument.ResponseStatuses(operation).ToHashSet(), new HashSet<string> { "400", "413", "415" });
        }
        Assert.All(limited, o => Assert.Contains("429", ServedDocument.ResponseStatuses(ServedDocument.Operation(document, o.Method, o.Path)!)));
        Assert.All(operations.Where(o => !o.IsRateLimited), o =>
            Assert.DoesNotContain("429", ServedDocument.ResponseStatuses(ServedDocument.Operation(document, o.Method, o.Path)!)));
    }

    // Body limits, the JSON charset check and the manual rate limit apply to what they guard,
    // not to a GET of the document: on a real socket, past the manual endpoints' rate.
    [Fact]
    public async Task TheDocumentIsServedAnonymouslyThroughTheEdge()
    {
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Limits:ManualPerMinute"] = "1", kestrel: true);
        using var client = new HttpClient { BaseAddress = app.BaseAddress };

        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ServedDocument.Path);
            // A stray non-UTF-8 charset on a bodyless GET is not a JSON body to refuse.
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=latin1");
            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            EdgeAssert.SecurityHeaders(response);
            Assert.Contains("\"openapi\"", await response.Content.ReadAsStringAsync());
        }
    }
}
