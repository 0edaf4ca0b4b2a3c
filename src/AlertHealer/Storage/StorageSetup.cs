using AlertHealer.Audit;
using AlertHealer.Inbox;
using AlertHealer.Policies;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AlertHealer.Storage;

public static class StorageSetup
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), $"{StorageOptions.Section}:ConnectionString must be set")
            .Validate(o => IsSqlite(o.ConnectionString), $"{StorageOptions.Section}:ConnectionString must be a SQLite connection string like 'Data Source=/var/lib/alerthealer/alerthealer.db'")
            .Validate(o => o.BusyTimeout > TimeSpan.Zero, $"{StorageOptions.Section}:BusyTimeout must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<SqliteDatabase>();
        builder.Services.AddSingleton<IAuditStore, SqliteAuditStore>();
        builder.Services.AddSingleton<IInboxStore, SqliteInboxStore>();
        builder.Services.AddSingleton<IStateStore, SqliteStateStore>();
        builder.Services.AddHostedService<Migrator>();
        builder.Services.AddSingleton<SqliteGroupCommit>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SqliteGroupCommit>());
        return builder;
    }

    private static bool IsSqlite(string connectionString)
    {
        try { return !string.IsNullOrEmpty(new SqliteConnectionStringBuilder(connectionString).DataSource); }
        catch (ArgumentException) { return false; }
    }

    // Creates or migrates the schema before anything else starts.
    private sealed class Migrator(SqliteDatabase db, IOptions<StorageOptions> options, ILogger<Migrator> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var source = new SqliteConnectionStringBuilder(options.Value.ConnectionString).DataSource;
            if (Path.GetDirectoryName(Path.GetFullPath(source)) is { } dir) Directory.CreateDirectory(dir);
            await using var connection = await db.OpenAsync(cancellationToken);
            await SqliteMigrations.MigrateAsync(connection, cancellationToken);
            logger.LogInformation("Audit store ready at {DataSource}", source);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
