using Microsoft.Extensions.DependencyInjection.Extensions;
using AlertHealer.Audit;
using AlertHealer.Inbox;
using AlertHealer.Policies;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AlertHealer.Storage;

// The default store: one SQLite file, one replica.
public static class SqliteStorage
{
    public static IServiceCollection Add(IServiceCollection services)
    {
        services.TryAddSingleton<StoreGate>();
        const StorageProvider key = StorageProvider.Sqlite;
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteGroupCommit>();
        services.AddKeyedSingleton<IStoreDatabase, SqliteStore>(key);
        services.AddKeyedSingleton<IAuditStore>(key, (sp, k) => new AuditStore(sp.GetRequiredKeyedService<IStoreDatabase>(k)));
        services.AddKeyedSingleton<IInboxStore>(key, (sp, k) => new InboxStore(sp.GetRequiredKeyedService<IStoreDatabase>(k)));
        services.AddKeyedSingleton<IStateStore>(key, (sp, k) => new StateStore(sp.GetRequiredKeyedService<IStoreDatabase>(k)));
        // Started in this order: the schema first, then the webhook's writer.
        services.AddKeyedSingleton<IHostedService, Migrator>(key);
        services.AddKeyedSingleton<IHostedService>(key, (sp, _) => sp.GetRequiredService<SqliteGroupCommit>());
        return services;
    }

    // Creates or migrates the schema before anything else starts.
    private sealed class Migrator(SqliteDatabase db, IOptions<StorageOptions> options, ILogger<Migrator> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var source = new SqliteConnectionStringBuilder(options.Value.ConnectionString).DataSource;
            try
            {
                if (Path.GetDirectoryName(Path.GetFullPath(source)) is { } dir) Directory.CreateDirectory(dir);
                await using var connection = await db.OpenAsync(cancellationToken);
                await SqliteMigrations.MigrateAsync(connection, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException or StoreUnavailableException)
            {
                // Unlike a database server, a local file does not come back by waiting: a refusal
                // at start (one line, exit 1) says what to fix.
                var key = options.Value.ConnectionStringFile is { Length: > 0 } ? "ConnectionStringFile" : "ConnectionString";
                throw new OptionsValidationException(StorageOptions.Section, typeof(StorageOptions),
                    [$"{StorageOptions.Section}:{key}: the SQLite file {source} cannot be created or opened ({Innermost(ex).Message.TrimEnd('.')}); make its directory writable by this process (a volume at /var/lib/alerthealer) or point Data Source elsewhere"]);
            }
            logger.LogInformation("Audit store ready at {DataSource}", source);
        }

        private static Exception Innermost(Exception ex) => ex.InnerException is { } inner ? Innermost(inner) : ex;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
