using System.Text.Json.Nodes;
using AlertHealer.Tests.Detection;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Release;

// packages.lock.json is the contract: in locked mode (tests/run.sh, the Dockerfile, CI) a lock
// file that no longer matches the project stops the restore. Shown on a scratch copy.
public sealed class LockedRestoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ARestoreWithAChangedLockFileFailsInLockedMode()
    {
        var unchanged = Scratch();
        var changed = Scratch();
        var lockFile = Path.Combine(changed, "src", "AlertHealer", "packages.lock.json");
        var lockJson = JsonNode.Parse(await File.ReadAllTextAsync(lockFile))!;
        var npgsql = lockJson["dependencies"]!["net10.0"]!["Npgsql"]!;
        var locked = (string)npgsql["resolved"]!;
        // Someone hand-edits the lock to another version than the project asks for.
        npgsql["resolved"] = "10.0.0";
        npgsql["requested"] = "[10.0.0, )";
        await File.WriteAllTextAsync(lockFile, lockJson.ToJsonString());

        var good = await RestoreAsync(unchanged);
        var bad = await RestoreAsync(changed);

        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.NotEqual("10.0.0", locked);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("NU1004", bad.StdOut + bad.StdErr, StringComparison.Ordinal);
        Assert.Contains("locked mode", bad.StdOut + bad.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProjectKeepsALockFileAndTheRestoresAreLockedAndAudited()
    {
        var props = RepoFiles.Read("Directory.Build.props");
        Assert.Contains("<RestorePackagesWithLockFile>true</RestorePackagesWithLockFile>", props, StringComparison.Ordinal);
        Assert.Contains("<NuGetAuditMode>all</NuGetAuditMode>", props, StringComparison.Ordinal);
        Assert.Contains("NU1901;NU1902;NU1903;NU1904", props, StringComparison.Ordinal);
        foreach (var project in Directory.EnumerateFiles(RepoFiles.Root, "*.csproj", SearchOption.AllDirectories)
                     .Where(p => !p.Contains("/node_modules/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal)))
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(project)!, "packages.lock.json")), $"{project} has no packages.lock.json");
        Assert.Contains("dotnet restore AlertHealer.sln --locked-mode", RepoFiles.Read("tests", "run.sh"), StringComparison.Ordinal);
        Assert.Contains("--locked-mode", Deploy.Dockerfile.Load().Stages[0].Single(i => i.Arguments.Contains("dotnet restore", StringComparison.Ordinal)).Arguments, StringComparison.Ordinal);
    }

    // The files a restore of the service reads, outside the repository (no Directory.Build.props above it).
    private static string Scratch()
    {
        var root = Directory.CreateTempSubdirectory("alerthealer-lock-").FullName;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "src/AlertHealer/AlertHealer.csproj", "src/AlertHealer/packages.lock.json" })
        {
            var target = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(RepoFiles.PathOf(file.Split('/')), target);
        }
        return root;
    }

    private static Task<ToolResult> RestoreAsync(string root) =>
        Tool.RunAsync("dotnet", ["restore", "src/AlertHealer/AlertHealer.csproj", "--locked-mode"], workingDirectory: root, timeout: Patience);
}
