using System.Net;
using System.Net.Sockets;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Hosting;

// Refusals found while the host starts (Kestrel binding, the SQLite file) are one line like the
// others: the host's own "Hosting failed to start" report with its stack trace is left out.
public sealed class StartupRefusalTests
{
    [Fact]
    public async Task AnAddressInUseIsARefusalInOneLine()
    {
        using var held = new TcpListener(IPAddress.Loopback, 0);
        held.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)held.LocalEndpoint).Port}";

        var exit = await AppProcess.RunToExitAsync(AppProcess.Settings(StartupTests.NewDirectory()), urls: address);

        var line = StartupTests.AssertRefusedInOneLine(exit, "ASPNETCORE_URLS");
        Assert.Contains(address, line, StringComparison.Ordinal);
        Assert.Contains("already in use", line, StringComparison.Ordinal);
        AssertNoCrashReport(exit);
    }

    // A local file does not come back by waiting, unlike a database server: refused at start.
    [Fact]
    public async Task ASqliteFileThatCannotBeCreatedIsARefusalInOneLine()
    {
        var directory = StartupTests.NewDirectory();
        // A file where the directory should be: not creatable even by root.
        var blocker = Path.Combine(directory, "not-a-directory");
        await File.WriteAllTextAsync(blocker, "");
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__Store__ConnectionString"] = $"Data Source={Path.Combine(blocker, "data", "alerthealer.db")}";

        var exit = await AppProcess.RunToExitAsync(settings);

        var line = StartupTests.AssertRefusedInOneLine(exit, "AlertHealer:Store:ConnectionString");
        Assert.Contains(Path.Combine(blocker, "data", "alerthealer.db"), line, StringComparison.Ordinal);
        AssertNoCrashReport(exit);
    }

    private static void AssertNoCrashReport(AppExit exit)
    {
        Assert.DoesNotContain("Hosting failed to start", exit.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", exit.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" at System.", exit.Output, StringComparison.Ordinal);
    }
}
