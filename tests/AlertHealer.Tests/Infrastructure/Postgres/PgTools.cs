using System.Diagnostics;

namespace AlertHealer.Tests.Infrastructure.Postgres;

// PostgreSQL's server programs (initdb, pg_ctl). The server refuses to run as root, so when the
// tests run as root every program runs as the `postgres` OS user the Debian package creates.
internal static class PgTools
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<string> LazyBin = new(FindBin);

    public static bool AsRoot => Environment.IsPrivilegedProcess;

    // /usr/lib/postgresql/<newest>/bin (Debian keeps initdb and pg_ctl there), else PATH.
    public static string Bin => LazyBin.Value;

    public static string Run(string tool, string workingDirectory, params string[] arguments)
    {
        var program = Path.Combine(Bin, tool);
        var start = new ProcessStartInfo(AsRoot ? "runuser" : program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (AsRoot) foreach (var a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish within {Timeout}");
        }
        var output = stdout.Result + stderr.Result;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
        return output;
    }

    public static Task<string> RunAsync(string tool, string workingDirectory, params string[] arguments) =>
        Task.Run(() => Run(tool, workingDirectory, arguments));

    // A directory the server writes must belong to the user it runs as.
    public static void GiveToServerUser(string path)
    {
        if (!AsRoot) return;
        using var chown = Process.Start("chown", ["-R", "postgres:postgres", path]);
        chown.WaitForExit();
        if (chown.ExitCode != 0) throw new InvalidOperationException($"chown postgres {path} failed; is there a `postgres` user (Debian package postgresql)?");
    }

    private static string FindBin()
    {
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (debian is not null) return debian;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return onPath ?? throw new InvalidOperationException(
            "No PostgreSQL server programs (initdb, pg_ctl): install the Debian package `postgresql` (tests/run.sh does).");
    }
}
