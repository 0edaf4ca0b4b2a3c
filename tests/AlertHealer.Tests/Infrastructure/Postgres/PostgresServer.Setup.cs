using Npgsql;

namespace AlertHealer.Tests.Infrastructure.Postgres;

public sealed partial class PostgresServer
{
    // initdb, then settings for a private test server: loopback only, the socket inside the
    // cluster directory, durable writes on (the tests check what survives), password auth on TCP.
    private async Task InitializeAsync()
    {
        await PgTools.RunAsync("initdb", Directory,
            "-D", DataDirectory, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-instructions", "--no-sync");
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{Directory}'
            fsync = on
            synchronous_commit = on
            full_page_writes = on
            max_connections = 200
            shared_buffers = 32MB
            """);
        await StartAsync();
        await AdminAsync($"CREATE ROLE {Role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{_password}'");
    }

    // The test role's login refused (NOLOGIN) or allowed again, as when an operator has not yet
    // created the role or its Secret is being rotated.
    public Task RefuseLoginAsync(bool refused) => AdminAsync($"ALTER ROLE {Role} {(refused ? "NOLOGIN" : "LOGIN")}");

    // As the superuser, over the unix socket in the cluster directory (only its owner can reach it).
    private async Task AdminAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = Directory,
            Port = Port,
            Username = "postgres",
            Database = "postgres",
            Pooling = false,
        };
        await using var connection = new NpgsqlConnection(admin.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
