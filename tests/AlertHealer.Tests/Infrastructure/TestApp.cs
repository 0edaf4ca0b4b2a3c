using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Infrastructure;

// One running AlertHealer (fresh per test) with its fake cluster, fake clock and clients per role.
public sealed class TestApp : IAsyncDisposable
{
    public const string WebhookToken = "test-webhook-token-0123456789";
    public const string OperatorToken = "test-operator-token-0123456789";
    public const string ReaderToken = "test-reader-token-0123456789";
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 13, 0, 0, TimeSpan.Zero);

    // Real time a test waits for the worker; generous because a loaded 2-core machine is slow,
    // and a passing test never waits this long.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly AlertHealerFactory _factory;
    private readonly bool _ownsCluster;

    private TestApp(AlertHealerFactory factory, FakeKubernetesApi kube, FakeTimeProvider time, string directory, bool ownsCluster)
    {
        _factory = factory;
        _ownsCluster = ownsCluster;
        Kube = kube;
        Time = time;
        Directory = directory;
        Anonymous = factory.CreateClient();
        Webhook = Client(WebhookToken);
        Operator = Client(OperatorToken);
        Reader = Client(ReaderToken);
    }

    public FakeKubernetesApi Kube { get; }
    public FakeTimeProvider Time { get; }
    public string Directory { get; }
    public string DatabasePath => Path.Combine(Directory, "alerthealer.db");
    public HttpClient Anonymous { get; }
    public HttpClient Webhook { get; }
    public HttpClient Operator { get; }
    public HttpClient Reader { get; }
    public IServiceProvider Services => _factory.Services;

    // Where the app listens: http://localhost/ in memory, or the real loopback address with kestrel.
    public Uri BaseAddress => Anonymous.BaseAddress!;

    // Starts an app. Pass a previous app's directory/cluster/clock to restart on the same store.
    public static async Task<TestApp> StartAsync(
        Action<Dictionary<string, string?>>? configure = null,
        string? directory = null,
        FakeKubernetesApi? kube = null,
        FakeTimeProvider? time = null,
        Microsoft.Extensions.Logging.ILoggerProvider? logs = null,
        bool kestrel = false,
        string provider = "Sqlite")
    {
        time ??= new FakeTimeProvider(Start);
        var ownsCluster = kube is null;
        kube ??= await FakeKubernetesApi.StartAsync(time);
        directory ??= System.IO.Directory.CreateTempSubdirectory("alerthealer-test-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["AlertHealer:Kubernetes:Mode"] = "Kubeconfig",
            ["AlertHealer:Kubernetes:Kubeconfig"] = kube.WriteKubeconfig(directory),
            ["AlertHealer:Store:ConnectionString"] = $"Data Source={Path.Combine(directory, "alerthealer.db")}",
            ["AlertHealer:Auth:WebhookToken"] = WebhookToken,
            ["AlertHealer:Auth:OperatorToken"] = OperatorToken,
            ["AlertHealer:Auth:ReaderToken"] = ReaderToken,
            // Most tests arrange the cluster after the start and count the requests it receives;
            // the preflight's own tests (and the least-privilege proof) turn it on.
            ["AlertHealer:Preflight:Enabled"] = "false",
        };
        if (provider == "Postgres")
        {
            // One database per app directory, so a restart on the same directory finds its store.
            settings["AlertHealer:Store:Provider"] = "Postgres";
            settings["AlertHealer:Store:ConnectionString"] = await PostgresDatabaseFor(directory);
        }
        configure?.Invoke(settings);
        var factory = new AlertHealerFactory(settings, time, logs);
        try
        {
            if (kestrel)
            {
                // A real socket on a free loopback port, for clients outside this process.
                factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
                factory.StartServer();
            }
            var app = new TestApp(factory, kube, time, directory, ownsCluster);
            // Touch the server so hosted services (migrations, worker) have started.
            using var ready = await app.Anonymous.GetAsync("/healthz");
            ready.EnsureSuccessStatusCode();
            return app;
        }
        catch
        {
            await factory.DisposeAsync();
            if (ownsCluster) await kube.DisposeAsync();
            throw;
        }
    }

    private static async Task<string> PostgresDatabaseFor(string directory)
    {
        var file = Path.Combine(directory, "postgres-connection-string");
        if (File.Exists(file)) return await File.ReadAllTextAsync(file);
        var server = await Postgres.PostgresServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync();
        await File.WriteAllTextAsync(file, connectionString);
        return connectionString;
    }

    public HttpClient Client(string token)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    // The cluster of the incident: a goldmane Ready for 10 minutes and the wedged whisker pod,
    // stamped by the cluster's clock (the app's unless a test gives the API server its own).
    public TestApp WithCalicoSystem(bool goldmaneReady = true, TimeSpan? goldmaneReadyFor = null, bool whisker = true, TimeProvider? clusterClock = null)
    {
        var now = (clusterClock ?? Time).GetUtcNow();
        Kube.AddPod("calico-system", "goldmane-7d9f8b6c5-q4wzt", new Dictionary<string, string> { ["k8s-app"] = "goldmane" },
            goldmaneReady, now - (goldmaneReadyFor ?? TimeSpan.FromMinutes(10)));
        if (whisker) Kube.AddPod("calico-system", Fixtures.WedgedPod, new Dictionary<string, string> { ["k8s-app"] = "whisker" }, true, now - TimeSpan.FromHours(1));
        return this;
    }

    public Task<HttpResponseMessage> PostWebhookAsync(string json, HttpClient? client = null) =>
        (client ?? Webhook).PostAsync("/webhook/alertmanager", new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<AuditPage> AuditAsync(string query = "")
    {
        using var response = await Reader.GetAsync("/audit" + query);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AuditPage>(Json.Options))!;
    }

    // Waits (in real time, bounded) for the worker to record what the test expects.
    public async Task<AuditEntry> WaitForAuditAsync(Func<AuditEntry, bool> predicate, string? because = null)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            var match = (await AuditAsync("?limit=500")).Items.FirstOrDefault(predicate);
            if (match is not null) return match;
            await Task.Delay(20);
        }
        var all = (await AuditAsync("?limit=500")).Items.Select(e => $"{e.Id}:{e.Outcome}/{e.Verification}");
        throw new TimeoutException($"No audit entry {because} appeared; entries: {string.Join(", ", all)}");
    }

    public Task<AuditEntry> WaitForOutcomeAsync(string outcome, int count = 1) =>
        WaitForCountAsync(e => e.Outcome == outcome, count, outcome);

    public async Task<AuditEntry> WaitForCountAsync(Func<AuditEntry, bool> predicate, int count, string because)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            var matches = (await AuditAsync("?limit=500")).Items.Where(predicate).ToList();
            if (matches.Count >= count) return matches[0];
            await Task.Delay(20);
        }
        throw new TimeoutException($"Fewer than {count} audit entries {because} appeared");
    }

    // Moves the fake clock forward a step at a time until the expected entry shows up; timers
    // armed a moment after a step are caught by the next one.
    public async Task<AuditEntry> AdvanceUntilAsync(Func<AuditEntry, bool> predicate, TimeSpan step, int maxSteps, string because)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            var match = (await AuditAsync("?limit=500")).Items.FirstOrDefault(predicate);
            if (match is not null) return match;
            Time.Advance(step);
            await Task.Delay(20);
        }
        return await WaitForAuditAsync(predicate, because);
    }

    // Waits until the inbox has nothing left to decide (every stored alert has an entry).
    public async Task DrainAsync()
    {
        var inbox = (AlertHealer.Inbox.IInboxStore)Services.GetService(typeof(AlertHealer.Inbox.IInboxStore))!;
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            var (depth, _, _) = await inbox.StatsAsync();
            if (depth == 0) return;
            await Task.Delay(20);
        }
        throw new TimeoutException("The inbox did not drain");
    }

    // Waits until the worker has put an item back for a later attempt (a retry is due in the future).
    public async Task WaitForRetryScheduledAsync()
    {
        var inbox = (AlertHealer.Inbox.IInboxStore)Services.GetService(typeof(AlertHealer.Inbox.IInboxStore))!;
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            if ((await inbox.StatsAsync()).NextDue > Time.GetUtcNow()) return;
            await Task.Delay(20);
        }
        throw new TimeoutException("No retry was scheduled");
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        if (_ownsCluster) await Kube.DisposeAsync();
    }
}
