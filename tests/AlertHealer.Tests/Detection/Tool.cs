using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace AlertHealer.Tests.Detection;

/// <summary>What a finished external process printed and returned.</summary>
internal sealed record ToolResult(string Command, int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() =>
        $"`{Command}` exited with {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// Runs the external checkers (node, amtool, promtool) the detection tests rely on.
/// A missing checker fails the test with the package that provides it; it never skips.
/// </summary>
internal static class Tool
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The directory holding AlertHealer.sln.</summary>
    public static string RepoRoot => Infrastructure.RepoFiles.Root;

    public static string InRepo(params string[] parts) => Infrastructure.RepoFiles.PathOf(parts);

    /// <summary>The full path of <paramref name="name"/> on PATH, or a failed test naming the package.</summary>
    public static string Require(string name, string package)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        Assert.Fail($"`{name}` is not on PATH. Install {package}.");
        return name; // unreachable
    }

    public static string Node() =>
        Require("node", "the Debian packages `nodejs` and `npm`, then run `npm ci` in tests/logql");

    public static string Amtool() =>
        Require("amtool", "the Debian package `prometheus-alertmanager` (tests/run.sh installs it)");

    public static string Promtool() =>
        Require("promtool", "the Debian package `prometheus` (tests/run.sh installs it)");

    /// <summary>
    /// Runs a process from the repository root (unless told otherwise), feeds it
    /// <paramref name="stdin"/>, and kills it with everything it started if it
    /// outlives <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ToolResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string? stdin = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? RepoRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var command = string.Join(' ', new[] { Path.GetFileName(fileName) }.Concat(info.ArgumentList));

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"could not start `{command}`: {e.Message}");
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited without reading its input; its exit code and output tell why.
        }

        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"`{command}` did not finish within {timeout ?? DefaultTimeout}.\n"
                + $"--- stdout ---\n{await stdout}\n--- stderr ---\n{await stderr}");
        }

        return new ToolResult(command, process.ExitCode, await stdout, await stderr);
    }
}
