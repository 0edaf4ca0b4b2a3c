using System.Net;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AlertHealer.Tests.Security;

public sealed class ServerErrorTests
{
    // No endpoint throws on purpose, so the store is broken underneath a running app: the
    // exception (with a SQLite message and a file path in it) must not reach the client, and a
    // store fault is a 503 (retry later), not a 500.
    [Fact]
    public async Task BrokenStoreIsAGeneric503WithOnlyATraceId()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(app.Directory, "alerthealer.db*")) File.Delete(file);
        await File.WriteAllBytesAsync(app.DatabasePath, Enumerable.Repeat((byte)'x', 4096).ToArray());

        using var response = await app.Reader.GetAsync("/audit");

        var problem = await EdgeAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The audit store is unavailable; retry later.", problem.GetProperty("title").GetString());
        Assert.StartsWith("00-", problem.GetProperty("traceId").GetString());
        var names = problem.EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(["status", "title", "traceId", "type"], names);
        var body = problem.GetRawText();
        foreach (var leak in new[] { "Exception", "SQLite", "Sqlite", " at ", ".cs", app.Directory, "database" })
            Assert.DoesNotContain(leak, body);
        EdgeAssert.SecurityHeaders(response);
    }
}
