using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.HighAvailability;

// One AlertHealer process of Replicas, with a client per role on its real socket.
public sealed class Replica : IAsyncDisposable
{
    private readonly SocketsHttpHandler _handler = new() { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(10) };

    public Replica(string identity, AppProcess process)
    {
        Identity = identity;
        Process = process;
        Anonymous = Client(null);
        Webhook = Client(TestApp.WebhookToken);
        Operator = Client(TestApp.OperatorToken);
        Reader = Client(TestApp.ReaderToken);
    }

    public string Identity { get; }
    public AppProcess Process { get; }
    public HttpClient Anonymous { get; }
    public HttpClient Webhook { get; }
    public HttpClient Operator { get; }
    public HttpClient Reader { get; }

    public Task<HttpResponseMessage> PostAlertAsync(string json) =>
        Webhook.PostAsync("/webhook/alertmanager", new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> RemediateAsync(string reason) =>
        Operator.PostAsync("/remediate", new StringContent($$"""{"policy":"whisker","reason":"{{reason}}"}""", Encoding.UTF8, "application/json"));

    // Every audit entry, newest first, page by page.
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(string filter = "")
    {
        var entries = new List<AuditEntry>();
        string? cursor = null;
        do
        {
            var query = $"/audit?limit=500{filter}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = (await Reader.GetFromJsonAsync<AuditPage>(query, Json.Options))!;
            entries.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return entries;
    }

    // The raw body of GET /audit, for comparing what two replicas serve byte for byte.
    public Task<string> AuditTextAsync(string path = "/audit?limit=500") => Reader.GetStringAsync(path);

    private HttpClient Client(string? token)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = Process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _handler.Dispose();
    }
}
