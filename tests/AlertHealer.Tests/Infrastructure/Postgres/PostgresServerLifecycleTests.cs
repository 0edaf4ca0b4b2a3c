using System.Diagnostics;
using Npgsql;

namespace AlertHealer.Tests.Infrastructure.Postgres;

// Each test here owns its server: it stops it, or removes it.
public sealed class PostgresServerLifecycleTests
{
    [Fact]
    public async Task StopRefusesConnectionsAndStartServesTheSameDataOnTheSamePort()
    {
        await using var server = await PostgresServer.StartNewAsync();
        var connectionString = await server.CreateDatabaseAsync();
        await ExecuteAsync(connectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the stop')");

        await server.StopAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ExecuteAsync(connectionString, "SELECT 1"));
        Assert.Null(server.PostmasterPid);

        await server.StartAsync();
        Assert.Equal("before the stop", await ExecuteAsync(connectionString, "SELECT v FROM kept"));
    }

    [Fact]
    public async Task DisposeStopsTheServerAndRemovesItsDirectory()
    {
        var server = await PostgresServer.StartNewAsync();
        var pid = Assert.NotNull(server.PostmasterPid);

        await server.DisposeAsync();

        Assert.False(Directory.Exists(server.Directory));
        Assert.False(IsRunning(pid));
    }

    [Fact]
    public async Task AClusterLeftByADeadTestProcessIsStoppedAndRemovedOnTheNextStart()
    {
        var orphan = await PostgresServer.StartNewAsync();
        await using var disposeLater = orphan;
        var pid = Assert.NotNull(orphan.PostmasterPid);
        using (var gone = Process.Start("true")) { gone.WaitForExit(); ClusterDirectories.WriteOwner(orphan.Directory, gone.Id, 0); }

        await using var next = await PostgresServer.StartNewAsync();

        Assert.False(Directory.Exists(orphan.Directory));
        Assert.False(IsRunning(pid));
        Assert.True(Directory.Exists(next.Directory));
    }

    [Fact]
    public async Task AClusterOfALiveTestProcessIsKeptWhenAnotherProcessReadItsStartTimeSlightlyOff()
    {
        await using var other = await PostgresServer.StartNewAsync();
        var pid = Assert.NotNull(other.PostmasterPid);
        // Another test run (a process of its own) wrote its start time; from here it reads a few ms off.
        using var otherRun = Process.Start("sleep", "60");
        ClusterDirectories.WriteOwner(other.Directory, otherRun.Id, otherRun.StartTime.ToUniversalTime().Ticks + 3 * TimeSpan.TicksPerMillisecond);

        await using var next = await PostgresServer.StartNewAsync();

        otherRun.Kill();
        Assert.True(Directory.Exists(other.Directory));
        Assert.True(IsRunning(pid));
    }

    [Fact]
    public async Task AWatchdogRemovesTheClusterOnceItsTestProcessIsKilled()
    {
        await using var server = await PostgresServer.StartNewAsync();
        var pid = Assert.NotNull(server.PostmasterPid);
        using var testProcess = Process.Start("sleep", "60");
        ClusterDirectories.Watch(server.Directory, testProcess.Id);

        testProcess.Kill();
        await testProcess.WaitForExitAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Directory.Exists(server.Directory) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.False(Directory.Exists(server.Directory));
        Assert.False(IsRunning(pid));
    }

    // A stopped server may linger a moment as a zombie until its parent (init) reaps it.
    private static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(") ")[^1][0] != 'Z';

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        // Unpooled: each call shows what a new connection meets.
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
