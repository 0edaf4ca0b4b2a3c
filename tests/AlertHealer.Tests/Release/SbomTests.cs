using System.Text.Json.Nodes;
using AlertHealer.Tests.Detection;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Release;

// The CycloneDX SBOM the image build makes (the same command, the local tool pinned in
// .config/dotnet-tools.json) names every package the lock file pins, at its locked version.
public sealed class SbomTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task TheSbomNamesEveryLockedPackageAtItsLockedVersion()
    {
        var output = Directory.CreateTempSubdirectory("alerthealer-sbom-").FullName;
        var restore = await Tool.RunAsync("dotnet", ["tool", "restore"], timeout: Patience);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        var run = await Tool.RunAsync("dotnet",
            ["tool", "run", "dotnet-CycloneDX", "src/AlertHealer/AlertHealer.csproj", "--disable-package-restore",
             "--output", output, "--filename", "sbom.cdx.json", "--output-format", "Json", "--set-name", "AlertHealer", "--set-version", ReleaseFiles.Version],
            timeout: Patience);
        Assert.True(run.ExitCode == 0, run.ToString());

        var bom = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "sbom.cdx.json")))!;
        Assert.Equal("CycloneDX", (string?)bom["bomFormat"]);
        Assert.Equal("AlertHealer", (string?)bom["metadata"]!["component"]!["name"]);
        Assert.Equal(ReleaseFiles.Version, (string?)bom["metadata"]!["component"]!["version"]);
        var components = bom["components"]!.AsArray()
            .Select(c => ((string)c!["name"]!, (string)c["version"]!, (string?)c["purl"]))
            .ToList();
        var locked = ReleaseFiles.LockedPackages("src", "AlertHealer", "packages.lock.json");
        Assert.NotEmpty(locked);
        foreach (var (name, version) in locked)
        {
            Assert.Contains(components, c => string.Equals(c.Item1, name, StringComparison.OrdinalIgnoreCase) && c.Item2 == version);
            Assert.Contains(components, c => string.Equals(c.Item3, $"pkg:nuget/{name}@{version}", StringComparison.OrdinalIgnoreCase));
        }
        // Nothing the lock file does not pin.
        Assert.All(components, c => Assert.True(locked.TryGetValue(c.Item1, out var v) && v == c.Item2, $"{c.Item1} {c.Item2} is not in the lock file"));
    }

    [Fact]
    public void TheImageBuildMakesTheSbomWithThePinnedTool()
    {
        var tools = JsonNode.Parse(RepoFiles.Read(".config", "dotnet-tools.json"))!;
        Assert.Equal("6.3.1", (string?)tools["tools"]!["cyclonedx"]!["version"]);
        var build = Deploy.Dockerfile.Load().Stages[0];
        Assert.Contains(build, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet tool restore", StringComparison.Ordinal));
        Assert.Contains(build, i => i.Keyword == "RUN"
            && i.Arguments.Contains("dotnet tool run dotnet-CycloneDX src/AlertHealer/AlertHealer.csproj", StringComparison.Ordinal)
            && i.Arguments.Contains("--output /app", StringComparison.Ordinal));
        Assert.Contains(build, i => i.Keyword == "COPY" && i.Arguments.StartsWith(".config/dotnet-tools.json", StringComparison.Ordinal));
    }
}
