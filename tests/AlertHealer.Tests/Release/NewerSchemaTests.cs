using AlertHealer.Storage;
using AlertHealer.Storage.Postgres;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Postgres;
using AlertHealer.Tests.Storage;
using Microsoft.Data.Sqlite;

namespace AlertHealer.Tests.Release;

// A rollback: this build on a store a later build migrated. It must refuse with one line that
// names both schema versions and what to do, and write nothing.
public sealed class NewerSchemaTests
{
    [Fact]
    public async Task ASqliteStoreFromALaterBuildIsRefusedAndLeftAlone()
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-newer-").FullName;
        var settings = AppProcess.Settings(directory);
        var path = Path.Combine(directory, "alerthealer.db");
        int known;
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await SqliteMigrations.MigrateAsync(connection);
            known = Convert.ToInt32(await connection.Command("PRAGMA user_version").ExecuteScalarAsync());
            // What a later build would have done: a step this build does not have.
            await connection.Command($"CREATE TABLE later_build (id INTEGER PRIMARY KEY); PRAGMA user_version = {known + 1};").ExecuteNonQueryAsync();
        }
        var before = await File.ReadAllBytesAsync(path);

        var exit = await AppProcess.RunToExitAsync(settings);

        Assert.Equal(1, exit.ExitCode);
        var refusal = Assert.Single(exit.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            $"AlertHealer cannot start: the SQLite store has schema version {known + 1}, newer than version {known} that AlertHealer {ReleaseFiles.Version} knows: " +
            "it was migrated by a later AlertHealer. Run that release (or a later one) again, or restore the backup taken before the upgrade; this build will not write to it.",
            refusal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task APostgresStoreFromALaterBuildIsRefusedAndLeftAlone()
    {
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using (await Postgres.MigratedAsync(cs)) { }
        var later = PostgresMigrations.Latest + 1;
        await Postgres.ScalarAsync(cs, $"INSERT INTO schema_version (version) VALUES ({later})");
        var settings = AppProcess.Settings(Directory.CreateTempSubdirectory("alerthealer-newer-").FullName);
        settings["AlertHealer__Store__Provider"] = "Postgres";
        settings["AlertHealer__Store__ConnectionString"] = cs;

        var exit = await AppProcess.RunToExitAsync(settings);

        Assert.Equal(1, exit.ExitCode);
        Assert.Contains(
            $"AlertHealer cannot start: the PostgreSQL store has schema version {later}, newer than version {PostgresMigrations.Latest} that AlertHealer {ReleaseFiles.Version} knows:",
            Assert.Single(exit.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal(0L, await Postgres.ScalarAsync(cs, "SELECT count(*) FROM audit"));
        Assert.Equal($"1,2,{later}", await Postgres.ScalarAsync(cs, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version"));
    }

    [Fact]
    public async Task CopyStoreRefusesASourceFromALaterBuild()
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-newer-").FullName;
        var path = Path.Combine(directory, "later.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await SqliteMigrations.MigrateAsync(connection);
            await connection.Command("PRAGMA user_version = 99").ExecuteNonQueryAsync();
        }
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();

        var exit = await AppProcess.RunToExitAsync(new Dictionary<string, string?>(), urls: null,
            arguments: [CopyStore.Command, "--from", path, "--to", cs]);

        Assert.Equal(1, exit.ExitCode);
        Assert.Contains("the SQLite store has schema version 99", exit.StandardError, StringComparison.Ordinal);
        Assert.Equal(0L, await Postgres.ScalarAsync(cs, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }
}
