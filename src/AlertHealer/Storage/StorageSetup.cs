using AlertHealer.Audit;
using AlertHealer.Configuration;
using AlertHealer.Inbox;
using AlertHealer.Policies;
using AlertHealer.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace AlertHealer.Storage;

public static class StorageSetup
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.Section))
            .Configure(o => { foreach (var old in RenamedSettings.OldSections(builder.Configuration, StorageOptions.Section)) old.Bind(o); })
            .PostConfigure(ReadConnectionStringFile)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();

        // Each provider registers its stores and start-up work under its key; the configured one
        // is chosen when first resolved, so configuration added by a host builder counts.
        SqliteStorage.Add(services);
        PostgresStorage.Add(services);
        services.AddSingleton(sp => sp.GetRequiredKeyedService<IAuditStore>(Provider(sp)));
        services.AddSingleton(sp => sp.GetRequiredKeyedService<IInboxStore>(Provider(sp)));
        services.AddSingleton(sp => sp.GetRequiredKeyedService<IStateStore>(Provider(sp)));
        services.AddHostedService(sp => new StorageStartup(sp.GetKeyedServices<IHostedService>(Provider(sp)).ToList(),
            sp.GetRequiredService<StoreGate>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<StorageStartup>>(),
            sp.GetService<Health.SelfEvents>()));
        return builder;
    }

    private static StorageProvider Provider(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider;

    // A mounted Secret; a missing or unreadable file is reported by the validator.
    private static void ReadConnectionStringFile(StorageOptions o)
    {
        if (o.ConnectionStringFile is not { Length: > 0 } file || !File.Exists(file)) return;
        try { o.ConnectionString = File.ReadAllText(file).Trim(); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
