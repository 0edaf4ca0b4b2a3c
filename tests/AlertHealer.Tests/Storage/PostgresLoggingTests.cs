using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AlertHealer.Tests.Storage;

public sealed class PostgresLoggingTests
{
    // Npgsql logs every statement at Information; the shipped settings keep its warnings only.
    [Fact]
    public async Task WithTheShippedLogLevelsStatementsAreNotLoggedButTheAppsOwnLinesAre()
    {
        var settings = new ConfigurationBuilder().AddJsonFile(RepoFiles.PathOf("src", "AlertHealer", "appsettings.json")).Build();
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(b => b.AddConfiguration(settings.GetSection("Logging")).AddProvider(logs));
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var db = new PostgresDatabase(Options.Create(new StorageOptions { ConnectionString = cs }), loggers);

        await db.ReadAsync(c => c.ScalarAsync("SELECT 'a statement'", null));
        loggers.CreateLogger<PostgresLoggingTests>().LogInformation("the app's own line");

        Assert.DoesNotContain(logs.Lines, l => l.Contains("a statement", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("the app's own line", StringComparison.Ordinal));
    }
}
