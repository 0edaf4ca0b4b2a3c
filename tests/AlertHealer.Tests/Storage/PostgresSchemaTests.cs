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

    // The stores run one SQL text on both: the schemas have exactly the same columns and indexes.
    [Theory]
    [InlineData("audit")]
    [InlineData("inbox")]
    [InlineData("incidents")]
    [InlineData("state")]
    public async Task BothSchemasHaveTheSameColumnsAndIndexes(string table)
    {
        var server = await PostgresServer.SharedAsync();
        var cs = await server.CreateDatabaseAsync();
        await using var db = await Postgres.MigratedAsync(cs);

        var sqlite = (await SqliteColumnsAsync(table)).Select(c => c.Name).Order();
        var postgres = (await Postgres.ColumnsAsync(cs, table)).Select(c => c.Split(' ')[0]).Order();
        Assert.Equal(sqlite, postgres);

        var postgresIndexes = new List<string>();
        await using (var connection = new Npgsql.NpgsqlConnection(cs + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.Command("SELECT indexname FROM pg_indexes WHERE tablename = @t AND indexname NOT LIKE '%_pkey'", null, ("t", table));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) postgresIndexes.Add(reader.GetString(0));
        }
        Assert.Equal((await SqliteIndexesAsync(table)).Order(), postgresIndexes.Order());
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

    private static async Task<List<string>> SqliteIndexesAsync(string table)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("alerthealer-schema-").FullName, "a.db");
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        await connection.OpenAsync();
        await SqliteMigrations.MigrateAsync(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $t AND name NOT LIKE 'sqlite_autoindex%'";
        command.Parameters.AddWithValue("$t", table);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
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
