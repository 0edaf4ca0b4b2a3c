using System.Globalization;
using AlertHealer.Storage;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using AlertHealer.Tests.Infrastructure.Postgres;
using Npgsql;

namespace AlertHealer.Tests.HighAvailability;

// Several AlertHealer processes (`dotnet AlertHealer.dll`) on one PostgreSQL database and one
// fake API server, on real time: calico-system with a goldmane Ready for 10 minutes and the
// wedged whisker pod, created an hour ago and recreated Ready when deleted.
public sealed class Replicas : IAsyncDisposable
{
    public const string Namespace = "calico-system";
    public const string LeaseNamespace = "alerthealer";
    public const string Lease = "alerthealer-whisker";

    private readonly List<Replica> _started = [];
    private readonly PostgresServer? _ownServer;
    private readonly string _kubeconfig;

    private Replicas(FakeKubernetesApi kube, string connectionString, string directory, PostgresServer? ownServer)
    {
        Kube = kube;
        ConnectionString = connectionString;
        Directory = directory;
        _ownServer = ownServer;
        _kubeconfig = kube.WriteKubeconfig(directory);
    }

    public FakeKubernetesApi Kube { get; }
    public string ConnectionString { get; }
    public string Directory { get; }

    // A database of the shared test cluster, or of server (a test that stops its server owns it).
    public static async Task<Replicas> StartAsync(PostgresServer? server = null)
    {
        var connectionString = await (server ?? await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var kube = await FakeKubernetesApi.StartAsync(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        kube.AddPod(Namespace, "goldmane-7d9f8b6c5-q4wzt", new Dictionary<string, string> { ["k8s-app"] = "goldmane" }, ready: true, now.AddMinutes(-10));
        kube.AddPod(Namespace, Fixtures.WedgedPod, new Dictionary<string, string> { ["k8s-app"] = "whisker" }, ready: true, now.AddHours(-1));
        kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        var directory = System.IO.Directory.CreateTempSubdirectory("alerthealer-ha-").FullName;
        return new Replicas(kube, connectionString, directory, server);
    }

    // Each replica its own identity (the holder of its claims and Leases); short timings where
    // they only make a test wait, the shipped ones for claims, Leases and the poll.
    public Dictionary<string, string?> Settings(string identity)
    {
        const string P = "AlertHealer__Policies__whisker__";
        return new Dictionary<string, string?>
        {
            ["AlertHealer__Auth__WebhookToken"] = TestApp.WebhookToken,
            ["AlertHealer__Auth__OperatorToken"] = TestApp.OperatorToken,
            ["AlertHealer__Auth__ReaderToken"] = TestApp.ReaderToken,
            ["AlertHealer__Store__Provider"] = "Postgres",
            ["AlertHealer__Store__ConnectionString"] = ConnectionString,
            ["AlertHealer__Kubernetes__Mode"] = "Kubeconfig",
            ["AlertHealer__Kubernetes__Kubeconfig"] = _kubeconfig,
            ["AlertHealer__Kubernetes__LeaseNamespace"] = LeaseNamespace,
            ["AlertHealer__Kubernetes__Identity"] = identity,
            ["AlertHealer__Inbox__RetryBaseDelay"] = "00:00:01",
            ["AlertHealer__Inbox__RetryMaxDelay"] = "00:00:02",
            [P + "Cooldown"] = "00:10:00",
            [P + "Dependency__MinReadyFor"] = "00:00:05",
            [P + "VerifyTimeout"] = "00:00:20",
            // Only Kubernetes and the database are under test.
            ["AlertHealer__Loki__BaseUrl"] = "",
            ["AlertHealer__Alertmanager__BaseUrl"] = "",
            ["KUBERNETES_SERVICE_HOST"] = null,
            ["KUBECONFIG"] = null,
            ["POD_NAME"] = null,
        };
    }

    // dll: another build (the previous release), or null for this one.
    public async Task<Replica> StartAsync(string identity, Action<Dictionary<string, string?>>? configure = null, string? dll = null)
    {
        var settings = Settings(identity);
        configure?.Invoke(settings);
        // Builds before 1.0.0 read the store's settings under their old name only.
        if (dll is not null)
        {
            foreach (var key in settings.Keys.Where(k => k.StartsWith("AlertHealer__Store__", StringComparison.Ordinal)).ToList())
            {
                settings["AlertHealer__Audit__" + key["AlertHealer__Store__".Length..]] = settings[key];
                settings.Remove(key);
            }
        }
        var workingDirectory = System.IO.Directory.CreateDirectory(Path.Combine(Directory, identity)).FullName;
        var process = await AppProcess.StartBuildAsync(dll ?? AppProcess.Dll, settings, workingDirectory);
        var replica = new Replica(identity, process);
        lock (_started) _started.Add(replica);
        return replica;
    }

    // Replicas start at the same time, as a Deployment's pods do.
    public Task<Replica[]> StartAsync(params string[] identities) => Task.WhenAll(identities.Select(i => StartAsync(i)));

    // A firing wedge alert of its own incident about the wedged pod, starting now.
    public static string Incident(string fingerprint) =>
        Fixtures.NewIncident(fingerprint, namePod: true, startsAt: DateTimeOffset.UtcNow);

    // A firing alert that no policy matches.
    public static string Unmatched(string fingerprint) => Fixtures.Edit(a =>
    {
        a["fingerprint"] = fingerprint;
        a["startsAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        a["labels"]!["alertname"] = "NodeDiskFilling";
    });

    // The inbox rows as the database has them, outside the service.
    public async Task<IReadOnlyList<InboxRow>> InboxAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.Command("SELECT id, state, claimed_by, claimed_until_ms, intent IS NOT NULL, attempts FROM inbox ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<InboxRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new InboxRow(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetBoolean(4),
                Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    // Polls (real time, bounded) until condition holds; the message says what did not happen.
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan limit, string because) where T : class
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"within {limit}: {because}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _started) await replica.DisposeAsync();
        await Kube.DisposeAsync();
        if (_ownServer is not null) await _ownServer.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}

// Attempts: how many times the item was claimed (the fencing token), by any replica.
public sealed record InboxRow(long Id, string State, string? ClaimedBy, DateTimeOffset? ClaimedUntil, bool HasIntent, int Attempts);
