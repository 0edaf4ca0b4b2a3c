using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Postgres;
using Npgsql;

namespace AlertHealer.Tests.Storage;

// AlertHealer:Store:Provider, ConnectionString and ConnectionStringFile, refused on the real process.
public sealed class StorageConfigurationTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("alerthealer-storage-").FullName;

    [Fact]
    public async Task PostgresWithASqliteConnectionStringIsRefusedNamingTheKey()
    {
        var (exitCode, output) = await RunAsync(("AlertHealer__Store__Provider", "Postgres"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AlertHealer:Store:ConnectionString must be an Npgsql connection string", output);
        Assert.Contains("this looks like a SQLite one", output);
    }

    [Fact]
    public async Task AnUnknownProviderIsRefusedNamingTheKey()
    {
        var (exitCode, output) = await RunAsync(("AlertHealer__Store__Provider", "Oracle"));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AlertHealer:Store:Provider", output);
    }

    [Theory]
    [InlineData(null, "does not exist (mount the Secret there)")]
    [InlineData("", "is empty")]
    [InlineData("Host=CHANGE-ME;Database=alerthealer;Username=alerthealer;Password=CHANGE-ME", "still holds the CHANGE-ME placeholder")]
    public async Task AConnectionStringFileThatCannotBeUsedIsRefusedNamingTheKey(string? content, string problem)
    {
        var file = Path.Combine(_directory, "connection-string");
        if (content is not null) await File.WriteAllTextAsync(file, content);

        var (exitCode, output) = await RunAsync(("AlertHealer__Store__Provider", "Postgres"), ("AlertHealer__Store__ConnectionStringFile", file));

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"AlertHealer:Store:ConnectionStringFile: {file} {problem}", output);
    }

    [Fact]
    public async Task PostgresFromAConnectionStringFileServesWithoutPrintingThePassword()
    {
        var server = await PostgresServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync();
        var file = Path.Combine(_directory, "connection-string");
        await File.WriteAllTextAsync(file, connectionString + "\n");
        var environment = AppProcess.Settings(_directory);
        environment["AlertHealer__Store__Provider"] = "Postgres";
        environment["AlertHealer__Store__ConnectionString"] = null;
        environment["AlertHealer__Store__ConnectionStringFile"] = file;

        await using var app = await AppProcess.StartAsync(environment);
        using var http = new HttpClient { BaseAddress = app.Address("http") };
        using var ready = await http.GetAsync("/readyz");

        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(2, Convert.ToInt32(await Postgres.ScalarAsync(connectionString, "SELECT max(version) FROM schema_version")));
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(connectionString).Password!, app.Output);
    }

    [Fact]
    public async Task ASqliteConnectionStringFileIsUsedInsteadOfTheConnectionString()
    {
        var file = Path.Combine(_directory, "connection-string");
        var database = Path.Combine(_directory, "from-the-file.db");
        await File.WriteAllTextAsync(file, $"Data Source={database}\n");

        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Store:ConnectionStringFile"] = file, directory: _directory);

        Assert.True(File.Exists(database));
        Assert.False(File.Exists(app.DatabasePath));
    }

    private async Task<(int ExitCode, string Output)> RunAsync(params (string Key, string? Value)[] settings)
    {
        var environment = AppProcess.Settings(_directory);
        foreach (var (key, value) in settings) environment[key] = value;
        var exit = await AppProcess.RunToExitAsync(environment);
        return (exit.ExitCode, exit.Output);
    }
}
