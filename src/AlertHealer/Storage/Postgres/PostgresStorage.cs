namespace AlertHealer.Storage.Postgres;

// Provider Postgres: one database that several replicas share.
public static class PostgresStorage
{
    public static IServiceCollection Add(IServiceCollection services)
    {
        const StorageProvider key = StorageProvider.Postgres;
        services.AddSingleton<PostgresDatabase>();
        services.AddSingleton<PostgresGroupCommit>();
        // The stores on PostgresDatabase are registered here, as SqliteStorage does:
        //   services.AddKeyedSingleton<IAuditStore, PostgresAuditStore>(key); (and IInboxStore, IStateStore)
        // Until they are, StorageOptionsValidator refuses Provider=Postgres at start.
        // Started in this order: the schema first, then the webhook's writer.
        services.AddKeyedSingleton<IHostedService, PostgresMigrator>(key);
        services.AddKeyedSingleton<IHostedService>(key, (sp, _) => sp.GetRequiredService<PostgresGroupCommit>());
        return services;
    }
}
