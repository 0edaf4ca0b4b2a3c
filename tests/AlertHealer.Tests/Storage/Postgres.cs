using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AlertHealer.Tests.Storage;

// PostgresDatabase on a test database, configured the way the app configures it.
internal static class Postgres
{
    public static PostgresDatabase Database(string connectionString, TimeSpan? busyTimeout = null, CapturedLogs? logs = null)
    {
        var options = new StorageOptions
        {
            Provider = StorageProvider.Postgres,
            ConnectionString = connectionString,
            BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(5),
        };
        var loggers = LoggerFactory.Create(b => { if (logs is not null) b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug); });
        return new PostgresDatabase(Options.Create(options), loggers);
    }

    public static async Task<PostgresDatabase> MigratedAsync(string connectionString, TimeSpan? busyTimeout = null, CapturedLogs? logs = null)
    {
        var db = Database(connectionString, busyTimeout, logs);
        await using var connection = await db.OpenAsync();
        await PostgresMigrations.MigrateAsync(connection);
        return db;
    }

    // Outside PostgresDatabase: what is really in the database.
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        return await connection.ScalarAsync(sql, null);
    }

    public static async Task<List<string>> ColumnsAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.Command(
            "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = @t ORDER BY ordinal_position",
            null, ("t", table));
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<string>();
        while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        return columns;
    }
}
