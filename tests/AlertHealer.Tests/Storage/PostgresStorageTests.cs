using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlertHealer.Tests.Storage;

// What PostgresStorage.Add registers, in a real container against a real database.
public sealed class PostgresStorageTests
{
    [Fact]
    public async Task ItsStartupMigratesTheSchemaThenRunsTheGroupCommit()
    {
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var services = new ServiceCollection().AddLogging();
        services.AddOptions<StorageOptions>().Configure(o => { o.Provider = StorageProvider.Postgres; o.ConnectionString = cs; });
        PostgresStorage.Add(services);
        await using var provider = services.BuildServiceProvider();

        var hosted = provider.GetKeyedServices<IHostedService>(StorageProvider.Postgres).ToList();
        var gate = provider.GetRequiredService<StoreGate>();
        using var startup = new StorageStartup(hosted, gate, TimeProvider.System, NullLogger<StorageStartup>.Instance);
        await startup.StartAsync(CancellationToken.None);
        var stored = await provider.GetRequiredService<PostgresGroupCommit>()
            .WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO state VALUES ('k', '{}')", tx), CancellationToken.None);
        await startup.StopAsync(CancellationToken.None);

        Assert.True(gate.IsOpen);
        Assert.Equal([typeof(PostgresMigrator), typeof(PostgresGroupCommit)], hosted.Select(h => h.GetType()));
        Assert.Equal(PostgresMigrations.Latest, await Postgres.ScalarAsync(cs, "SELECT max(version) FROM schema_version"));
        Assert.Equal(1, stored);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => provider.GetRequiredService<PostgresGroupCommit>()
            .WriteAsync((c, tx) => c.ExecuteAsync("SELECT 1", tx), CancellationToken.None));
    }
}
