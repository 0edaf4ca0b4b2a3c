using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AlertHealer.Security;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

// A client that sends a whole oversize body must read the 413, every time: a connection reset
// instead hides the cause from Alertmanager, which logs only a connection error.
public sealed class OversizeBodyTests
{
    private const int Requests = 100;
    private const long Limit = 1 * LimitsOptions.MiB;

    public static TheoryData<long, bool> Bodies => new()
    {
        { Limit + 1, false },
        { Limit + 1, true },
        { 4 * Limit, false },
        { 4 * Limit, true },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task EveryOversizeWebhookBodyGetsThe413(long size, bool chunked)
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        // A real client on the real socket, reusing its connection as Alertmanager's does.
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestApp.WebhookToken);
        var body = Json(size);

        var failures = new List<string>();
        for (var i = 0; i < Requests; i++)
        {
            HttpContent content = chunked ? new ChunkedContent(body) : new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
            try
            {
                using var response = await client.PostAsync("/webhook/alertmanager", content);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.RequestEntityTooLarge || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"request {i + 1}: {(int)response.StatusCode} {text}");
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"request {i + 1}: {ex.Message} ({ex.InnerException?.Message})");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Requests} bodies of {size} bytes ({(chunked ? "chunked" : "Content-Length")}) did not get the 413:\n{string.Join('\n', failures.Take(10))}");
        await EdgeAssert.StillHealthyAsync(app);
        Assert.Empty((await app.AuditAsync()).Items);
    }

    // A JSON object of exactly size bytes.
    private static byte[] Json(long size)
    {
        const string Head = "{\"version\":\"4\",\"padding\":\"";
        const string Tail = "\"}";
        return Encoding.ASCII.GetBytes(Head + new string('p', (int)size - Head.Length - Tail.Length) + Tail);
    }
}
