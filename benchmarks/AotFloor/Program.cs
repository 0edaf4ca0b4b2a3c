using k8s;
using Microsoft.Data.Sqlite;
using Npgsql;

// The AOT floor: what Kestrel, routing, the Kubernetes client, SQLite and Npgsql cost together when
// compiled ahead of time, with none of AlertHealer's own work. Before it answers /readyz it makes
// one Kubernetes API call (GET /version, against the kubeconfig in KUBECONFIG: the benchmark points
// it at a loopback stub), one SQLite write (a table and a row in floor.db in the working directory,
// WAL and synchronous=FULL as AlertHealer's store) and builds an Npgsql data source without
// connecting (so Npgsql is linked in, as it is in AlertHealer).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG")
    ?? throw new InvalidOperationException("KUBECONFIG names the kubeconfig of the cluster to call");
using var kubernetes = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
var version = await kubernetes.Version.GetCodeAsync();

using (var sqlite = new SqliteConnection("Data Source=floor.db"))
{
    await sqlite.OpenAsync();
    using var command = sqlite.CreateCommand();
    command.CommandText = """
        PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
        CREATE TABLE IF NOT EXISTS starts (at TEXT NOT NULL, version TEXT NOT NULL);
        INSERT INTO starts (at, version) VALUES ($at, $version);
        """;
    command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
    command.Parameters.AddWithValue("$version", version.GitVersion ?? "");
    await command.ExecuteNonQueryAsync();
}

await using var postgres = new NpgsqlSlimDataSourceBuilder("Host=127.0.0.1;Username=postgres;Database=postgres").Build();

var ready = $"ok {version.GitVersion}";
app.MapGet("/healthz", () => "ok");
app.MapGet("/readyz", () => ready);
await app.RunAsync();
