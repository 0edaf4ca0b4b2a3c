using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AlertHealer.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.Security;

public static class EdgeAssert
{
    // The exact status, as an RFC 9457 problem with a title.
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), body);
        return problem;
    }

    public static void SecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("no-store", Header(response, "Cache-Control"));
        Assert.False(response.Headers.Contains("Server"), "a Server header was sent");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    // The audit log exactly as a reader sees it, for before/after comparisons.
    public static async Task<string> AuditSnapshotAsync(TestApp app)
    {
        using var response = await app.Reader.GetAsync("/audit?limit=500");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    // One valid decision that must survive whatever the bad requests do. A dry run, so the
    // fake cluster records no delete.
    public static async Task<string> SeedAuditAsync(TestApp app)
    {
        using var seeded = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "seed entry", dryRun = true });
        seeded.EnsureSuccessStatusCode();
        var snapshot = await AuditSnapshotAsync(app);
        Assert.Contains("seed entry", snapshot);
        return snapshot;
    }

    // A client straight on the test server. The factory's clients buffer request bodies (to
    // replay them on redirects), which turns a chunked upload back into one with a length.
    public static HttpClient StreamingClient(TestApp app, string token)
    {
        var client = ((TestServer)app.Services.GetRequiredService<IServer>()).CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task StillHealthyAsync(TestApp app)
    {
        using var health = await app.Anonymous.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
