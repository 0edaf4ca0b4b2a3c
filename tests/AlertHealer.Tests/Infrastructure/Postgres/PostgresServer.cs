using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace AlertHealer.Tests.Infrastructure.Postgres;

// A real, throwaway PostgreSQL cluster on 127.0.0.1 for the tests. Most tests share one (SharedAsync)
// and take a database each; a test that stops the server starts its own (StartNewAsync). The
// server runs as the `postgres` OS user, never as root; the role the tests use is not a superuser.
public sealed partial class PostgresServer : IAsyncDisposable
{
    public const string Role = "alerthealer";

    private static readonly Lazy<Task<PostgresServer>> LazyShared = new(StartNewAsync);
    private static int _databases;

    private readonly string _password = RandomNumberGenerator.GetHexString(32, lowercase: true);
    private int _removed;

    private PostgresServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }
    public string DataDirectory => Path.Combine(Directory, "data");
    public int Port { get; }

    // The server's main process, read from its pid file; null when it is not running.
    public int? PostmasterPid =>
        File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))
        && int.TryParse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), out var pid) ? pid : null;

    public static Task<PostgresServer> SharedAsync() => LazyShared.Value;

    public static async Task<PostgresServer> StartNewAsync()
    {
        ClusterDirectories.RemoveStale();
        for (var attempt = 1; ; attempt++)
        {
            var server = new PostgresServer(ClusterDirectories.Create(), FreePort());
            try
            {
                await server.InitializeAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely another process took the free port first: a new cluster, a new port.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    // A new empty database and a connection string for the test role over TCP. Owned by the role
    // (as an operator would create it), or by the superuser to show what the role cannot do.
    public async Task<string> CreateDatabaseAsync(bool ownedByTestRole = true)
    {
        var name = $"alerthealer_{Interlocked.Increment(ref _databases)}";
        await AdminAsync($"CREATE DATABASE {name} OWNER {(ownedByTestRole ? Role : "postgres")}");
        return ConnectionString(name);
    }

    public string ConnectionString(string database, string? password = null) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = Role,
        Password = password ?? _password,
    }.ToString();

    // Fast shutdown: sessions are ended, as when the database restarts or fails over.
    public Task StopAsync() => PgTools.RunAsync("pg_ctl", Directory, "stop", "-D", DataDirectory, "-m", "fast", "-w");

    public Task StartAsync() => PgTools.RunAsync("pg_ctl", Directory,
        "start", "-D", DataDirectory, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "60", "-o", $"-p {Port}");

    public async ValueTask DisposeAsync() => await Task.Run(Remove);

    private void Remove()
    {
        if (Interlocked.Exchange(ref _removed, 1) == 0) ClusterDirectories.Remove(Directory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
