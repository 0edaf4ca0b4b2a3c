using System.Diagnostics;
using AlertHealer.Tests.Detection;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Release;

// The previous release (.ci/previous-release), built from the repository's own history beside
// this tree: `git archive` of its commit into a folder, published Release. Built once per commit
// and kept (ALERTHEALER_PREVIOUS_BUILDS, or the temp folder), so a run pays for it once.
internal static class PreviousRelease
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string Commit => ReleaseFiles.PreviousRelease;

    // What building it took in this run (zero when the cached build was reused).
    public static TimeSpan BuildTime { get; private set; }

    public static async Task<string> DllAsync()
    {
        var root = Path.Combine(Environment.GetEnvironmentVariable("ALERTHEALER_PREVIOUS_BUILDS") is { Length: > 0 } cache ? cache : Path.GetTempPath(),
            "alerthealer-previous", Commit);
        var dll = Path.Combine(root, "app", "AlertHealer.dll");
        var done = Path.Combine(root, "built");
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(done)) return dll;
            var clock = Stopwatch.StartNew();
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            var source = Path.Combine(root, "source");
            Directory.CreateDirectory(source);
            var archive = Path.Combine(root, "source.tar");
            await RunAsync("git", ["archive", "--format=tar", "-o", archive, Commit], RepoFiles.Root);
            await RunAsync("tar", ["-xf", archive, "-C", source], root);
            // No .git in an archive: the commit is given, as the image build does.
            await RunAsync("dotnet", ["publish", "src/AlertHealer/AlertHealer.csproj", "-c", "Release", "-o", Path.Combine(root, "app"),
                "-p:UseAppHost=false", $"-p:SourceRevisionId={Commit}"], source);
            await File.WriteAllTextAsync(done, Commit);
            BuildTime = clock.Elapsed;
            return dll;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task RunAsync(string tool, string[] arguments, string directory)
    {
        var result = await Tool.RunAsync(tool, arguments, workingDirectory: directory, timeout: Patience);
        Assert.True(result.ExitCode == 0, $"building the previous release {Commit} failed:\n{result}");
    }
}
