using System.Diagnostics;
using System.Security.Cryptography;

namespace AlertHealer.Tests.Infrastructure.Postgres;

// Throwaway clusters live in <temp>/alerthealer-pg-<pid>-<random>/ with an `owner` file naming the
// test process. A watchdog removes the cluster once that process is gone, however it ended (the test
// runner kills its host when a run is over); a cluster whose watchdog died too is removed by the
// next test run.
internal static class ClusterDirectories
{
    private const string Prefix = "alerthealer-pg-";
    private static readonly TimeSpan GraceForNew = TimeSpan.FromMinutes(1);

    // The server user must be able to reach the directory: /tmp when running as root.
    public static string Base => PgTools.AsRoot ? "/tmp" : Path.GetTempPath();

    public static string Create()
    {
        var dir = Path.Combine(Base, $"{Prefix}{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}");
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        WriteOwner(dir, Environment.ProcessId, ProcessStart(Process.GetCurrentProcess()));
        PgTools.GiveToServerUser(dir);
        Watch(dir, Environment.ProcessId);
        return dir;
    }

    // Removes the cluster once process `pid` has ended.
    public static void Watch(string dir, int pid)
    {
        var data = Path.Combine(dir, "data");
        var asServer = PgTools.AsRoot ? "runuser -u postgres -- " : "";
        var script = $"""
            while kill -0 {pid} 2>/dev/null; do sleep 1; done
            [ -f '{data}/postmaster.pid' ] && {asServer}'{PgTools.Bin}/pg_ctl' stop -D '{data}' -m immediate -w
            rm -rf '{dir}'
            """;
        // Detached (own session, no inherited pipes) so the test runner never waits for it.
        using var launcher = Process.Start(new ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", "setsid -f sh -c \"$0\" </dev/null >/dev/null 2>&1", script },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        launcher.WaitForExit();
    }

    public static void WriteOwner(string dir, int pid, long startTicks) =>
        File.WriteAllText(Path.Combine(dir, "owner"), $"{pid} {startTicks}");

    public static void RemoveStale()
    {
        foreach (var dir in Directory.EnumerateDirectories(Base, Prefix + "*"))
        {
            if (!IsLive(dir)) Remove(dir);
        }
    }

    // Stops a server still running there (immediate: nothing in it is worth keeping) and deletes it.
    public static void Remove(string dir)
    {
        var data = Path.Combine(dir, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try { PgTools.Run("pg_ctl", dir, "stop", "-D", data, "-m", "immediate", "-w"); }
            catch (InvalidOperationException) { /* no server was running */ }
        }
        try { Directory.Delete(dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    private static bool IsLive(string dir)
    {
        var owner = Path.Combine(dir, "owner");
        if (!File.Exists(owner)) return DateTime.UtcNow - Directory.GetCreationTimeUtc(dir) < GraceForNew;
        var parts = File.ReadAllText(owner).Split(' ');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var pid) || !long.TryParse(parts[1], out var ticks)) return false;
        try
        {
            // The same pid with another start time is a new process that reused the number. Each
            // process works out start times from its own reading of the boot time, which differs
            // by milliseconds between processes: equal within a second is the same process.
            using var process = Process.GetProcessById(pid);
            return Math.Abs(ProcessStart(process) - ticks) < TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static long ProcessStart(Process process) => process.StartTime.ToUniversalTime().Ticks;
}
