using System.Diagnostics;
using Npgsql;

namespace AlertHealer.Tests.Infrastructure.Postgres;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task ATestDatabaseIsReachedOverLoopbackByARoleThatIsNotSuperuser()
    {
        var server = await PostgresServer.SharedAsync();
        await using var connection = new NpgsqlConnection(await server.CreateDatabaseAsync());
        await connection.OpenAsync();

        await using var command = new NpgsqlCommand(
            """
            SELECT current_user, inet_server_addr()::text, r.rolsuper, r.rolcreatedb, r.rolcreaterole,
                   pg_get_userbyid(d.datdba), current_setting('listen_addresses'), current_setting('fsync')
            FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()
            """, connection);
        await using var row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal(PostgresServer.Role, row.GetString(0));
        Assert.Equal("127.0.0.1/32", row.GetString(1));
        Assert.False(row.GetBoolean(2));
        Assert.False(row.GetBoolean(3));
        Assert.False(row.GetBoolean(4));
        Assert.Equal(PostgresServer.Role, row.GetString(5));
        Assert.Equal("127.0.0.1", row.GetString(6));
        Assert.Equal("on", row.GetString(7));
    }

    [Fact]
    public async Task EachCallCreatesAnotherEmptyDatabase()
    {
        var server = await PostgresServer.SharedAsync();

        var first = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync()).Database;
        var second = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync()).Database;

        Assert.NotEqual(first, second);
        await using var connection = new NpgsqlConnection(server.ConnectionString(second!));
        await connection.OpenAsync();
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", connection);
        Assert.Equal(0L, await tables.ExecuteScalarAsync());
    }

    [Fact]
    public async Task TcpConnectionsNeedThePassword()
    {
        var server = await PostgresServer.SharedAsync();
        var database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync()).Database!;

        await using var connection = new NpgsqlConnection(server.ConnectionString(database, password: "wrong"));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());

        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }

    [Fact]
    public async Task TheServerRunsAsThePostgresUserNeverAsRoot()
    {
        var server = await PostgresServer.SharedAsync();

        var pid = Assert.NotNull(server.PostmasterPid);
        var uid = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

        Assert.NotEqual("0", uid);
        if (PgTools.AsRoot) Assert.Equal("postgres", Process.GetProcessById(pid).ProcessName);
        Assert.StartsWith("alerthealer-postgres-", Path.GetFileName(server.Directory));
    }
}
