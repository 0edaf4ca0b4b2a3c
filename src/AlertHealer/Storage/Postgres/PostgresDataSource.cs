using Npgsql;

namespace AlertHealer.Storage.Postgres;

public static class PostgresDataSource
{
    // Npgsql's own defaults, which BusyTimeout replaces unless the connection string sets others.
    private const int NpgsqlConnectTimeout = 15;
    private const int NpgsqlCommandTimeout = 30;

    // One pool per process. Connecting and each statement are bounded by BusyTimeout, so a
    // database that does not answer turns into a 503 while Alertmanager is still waiting.
    public static NpgsqlDataSource Create(StorageOptions options, ILoggerFactory loggers)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (connection.Timeout == NpgsqlConnectTimeout) connection.Timeout = seconds;
        if (connection.CommandTimeout == NpgsqlCommandTimeout) connection.CommandTimeout = seconds;
        connection.ApplicationName ??= "alerthealer";
        return new NpgsqlDataSourceBuilder(connection.ConnectionString).UseLoggerFactory(loggers).Build();
    }
}
