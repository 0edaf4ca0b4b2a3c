using Npgsql;

namespace AlertHealer.Storage.Postgres;

// Migrates the schema at start, before the webhook's writer and the worker run. A database that
// cannot be reached or migrated is a StoreUnavailableException saying what to fix; StorageStartup
// keeps the replica up and not ready and runs this again until it succeeds.
public sealed class PostgresMigrator(PostgresDatabase db, ILogger<PostgresMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        try
        {
            var before = await PostgresMigrations.MigrateAsync(connection, cancellationToken);
            logger.LogInformation("Audit store ready in PostgreSQL database {Database} (schema {Before} -> {Latest})",
                connection.Database, before, Math.Max(before, PostgresMigrations.Latest));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new StoreUnavailableException(
                $"role {connection.UserName} may not create tables in database {connection.Database}: " +
                $"make it the owner (CREATE DATABASE {connection.Database} OWNER {connection.UserName}). {ex.MessageText}", ex);
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFault(ex))
        {
            throw new StoreUnavailableException($"cannot migrate the store: {ex.Message}", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
