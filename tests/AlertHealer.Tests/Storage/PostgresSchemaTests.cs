using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertHealer.Tests.Storage;

public sealed class PostgresSchemaTests
{
    [Theory]
    [InlineData("audit")]
    [InlineData("inbox")]
    [InlineData("incidents")]
    [InlineData("state")]
    public async Task EverySqliteColumnExistsInPostgresWithTheSameKindOfType(string table)
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs);
        var postgres = (await Postgres.ColumnsAsync(cs, table)).ToDictionary(c => c.Split(' ')[0], c => c.Split(' ')[1]);

        foreach (var (name, type) in await SqliteColumnsAsync(table))
        {
            Assert.True(postgres.TryGetValue(name, out var pgType), $"{table}.{name} is missing in PostgreSQL");
            Assert.Equal(type == "INTEGER" ? "integer or bigint" : "text", pgType is "integer" or "bigint" ? "integer or bigint" : pgType);
        }
    }

    [Fact]
    public async Task OnlyTheInboxClaimAndIntentColumnsAreNewInPostgres()
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs);

        var sqlite = (await SqliteColumnsAsync("inbox")).Select(c => c.Name);
        var postgres = (await Postgres.ColumnsAsync(cs, "inbox")).Select(c => c.Split(' ')[0]);

        Assert.Equal(["claimed_by", "claimed_until_ms", "intent"], postgres.Except(sqlite));
    }

    [Fact]
    public async Task ARoleThatDoesNotOwnTheDatabaseIsToldToMakeItTheOwner()
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync(ownedByTestRole: false);
        await using var db = Postgres.Database(cs);
        var migrator = new PostgresMigrator(db, NullLogger<PostgresMigrator>.Instance);

        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => migrator.StartAsync(CancellationToken.None));

        Assert.Contains($"role {PostgresServer.Role} may not create tables", refused.Message);
        Assert.Contains($"OWNER {PostgresServer.Role}", refused.Message);
        Assert.Null(await Postgres.ScalarAsync(cs, "SELECT to_regclass('audit')::text"));
    }

    private static async Task<List<(string Name, string Type)>> SqliteColumnsAsync(string table)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("alerthealer-schema-").FullName, "a.db");
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        await connection.OpenAsync();
        await SqliteMigrations.MigrateAsync(connection);
        await using var command = connection.Command($"SELECT name, type FROM pragma_table_info('{table}')");
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<(string, string)>();
        while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1)));
        return columns;
    }
}
