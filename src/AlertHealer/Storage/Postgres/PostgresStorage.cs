using Microsoft.Extensions.DependencyInjection.Extensions;
using AlertHealer.Audit;
using AlertHealer.Inbox;
using AlertHealer.Policies;

namespace AlertHealer.Storage.Postgres;

// Provider Postgres: one database that several replicas share.
public static class PostgresStorage
{
    public static IServiceCollection Add(IServiceCollection services)
    {
        services.TryAddSingleton<StoreGate>();
        const StorageProvider key = StorageProvider.Postgres;
        services.AddSingleton<PostgresDatabase>();
        services.AddSingleton<PostgresGroupCommit>();
        services.AddKeyedSingleton<IStoreDatabase, PostgresStore>(key);
        services.AddKeyedSingleton<IAuditStore>(key, (sp, k) => new AuditStore(sp.GetRequiredKeyedService<IStoreDatabase>(k)));
        services.AddKeyedSingleton<IInboxStore>(key, (sp, k) => new InboxStore(sp.GetRequiredKeyedService<IStoreDatabase>(k)));
        services.AddKeyedSingleton<IStateStore>(key, (sp, k) => new StateStore(sp.GetRequiredKeyedService<IStoreDatabase>(k)));
        // Started in this order: the schema first, then the webhook's writer.
        services.AddKeyedSingleton<IHostedService, PostgresMigrator>(key);
        services.AddKeyedSingleton<IHostedService>(key, (sp, _) => sp.GetRequiredService<PostgresGroupCommit>());
        return services;
    }
}
