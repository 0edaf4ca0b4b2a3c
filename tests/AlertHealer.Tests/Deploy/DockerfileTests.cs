using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Deploy;

public class DockerfileTests
{
    private static readonly Dockerfile Docker = Dockerfile.Load();

    [Fact]
    public void TheBuildHasABuildStageAndAFinalStage()
    {
        Assert.True(Docker.Stages.Count >= 2, "expected a multi-stage build");
    }

    [Fact]
    public void EveryBaseImageIsPinnedByTagAndDigest()
    {
        var froms = Docker.Instructions.Where(i => i.Keyword == "FROM").ToList();

        Assert.NotEmpty(froms);
        Assert.All(froms, from => Assert.Matches(Dockerfile.PinnedByTagAndDigest(), Dockerfile.ImageOf(from)));
    }

    [Fact]
    public void TheBuildStageUsesTheDotnet10Sdk()
    {
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0@", Dockerfile.ImageOf(Docker.Stages[0][0]), StringComparison.Ordinal);
    }

    [Fact]
    public void TheFinalStageIsTheChiseledRuntimeDepsImageNotTheSdk()
    {
        var image = Dockerfile.ImageOf(Docker.FinalStage[0]);

        // The native build needs no .NET runtime: only its libraries (libc, OpenSSL).
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled@", image, StringComparison.Ordinal);
        Assert.DoesNotContain("/sdk", image, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFinalStageRunsAsANonRootUser()
    {
        var user = Assert.Single(Docker.FinalStage, i => i.Keyword == "USER").Arguments;
        var name = user.Split(':')[0];

        Assert.True(
            name is "app" or "$APP_UID" or "${APP_UID}" || (int.TryParse(name, out var uid) && uid > 0),
            $"USER {user} is not the non-root app user");
    }

    [Fact]
    public void TheFinalStageTakesOnlyBuildOutputAndNothingFromTheContext()
    {
        var copies = Docker.FinalStage.Where(i => i.Keyword is "COPY" or "ADD").ToList();

        Assert.NotEmpty(copies);
        Assert.All(copies, c => Assert.Contains("--from=build", c.Arguments, StringComparison.Ordinal));
        Assert.Contains(copies, c => c.Arguments.Contains(" /app ", StringComparison.Ordinal));
        Assert.DoesNotContain(Docker.FinalStage, i => i.Keyword == "RUN");
    }

    [Fact]
    public void RestoreRunsInItsOwnLayerBeforeTheSourcesAreCopied()
    {
        var build = Docker.Stages[0].ToList();
        var restore = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore src/AlertHealer/AlertHealer.csproj", StringComparison.Ordinal));
        var copySrc = build.FindIndex(i => i.Keyword == "COPY" && i.Arguments.StartsWith("src/ ", StringComparison.Ordinal));

        Assert.True(restore >= 0, "no `dotnet restore src/AlertHealer/AlertHealer.csproj`");
        Assert.True(copySrc >= 0, "no `COPY src/ ...`");
        Assert.True(restore < copySrc, "restore must come before the sources are copied");

        // Before restore, only the props files and the project file come in.
        var early = string.Join(" ", build.Take(restore).Where(i => i.Keyword == "COPY").Select(i => i.Arguments));
        Assert.Contains("Directory.Build.props", early, StringComparison.Ordinal);
        Assert.Contains("Directory.Packages.props", early, StringComparison.Ordinal);
        Assert.Contains("src/AlertHealer/AlertHealer.csproj", early, StringComparison.Ordinal);
        Assert.DoesNotContain(build.Take(restore), i => i.Keyword == "COPY" && i.Arguments.StartsWith(". ", StringComparison.Ordinal));
    }

    [Fact]
    public void PublishIsAReleaseBuildThatReusesTheRestore()
    {
        var publish = Assert.Single(Docker.Stages[0], i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));

        Assert.Contains("-c Release", publish.Arguments, StringComparison.Ordinal);
        Assert.Contains("-o /app", publish.Arguments, StringComparison.Ordinal);
        Assert.Contains("--no-restore", publish.Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void TheImageShipsTheNativeBuild()
    {
        // PublishAot is the project's own, so this publish, with the compiler's toolchain installed first, is the native build.
        var project = System.Xml.Linq.XDocument.Load(RepoFiles.PathOf("src/AlertHealer/AlertHealer.csproj"));
        Assert.Equal("true", project.Descendants("PublishAot").Single().Value);
        var build = Docker.Stages[0].ToList();
        var toolchain = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("apt-get install", StringComparison.Ordinal));
        var publish = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.True(toolchain >= 0 && toolchain < publish, "clang and zlib must be installed before the publish");
        Assert.Contains("clang", build[toolchain].Arguments, StringComparison.Ordinal);
        Assert.Contains("zlib1g-dev", build[toolchain].Arguments, StringComparison.Ordinal);
        Assert.Contains("--use-current-runtime", build[publish].Arguments, StringComparison.Ordinal);
        Assert.DoesNotContain("PublishReadyToRun", build[publish].Arguments, StringComparison.Ordinal);
        Assert.DoesNotContain("UseAppHost=false", build[publish].Arguments, StringComparison.Ordinal);
        // Debug symbols stay in the build stage.
        Assert.Contains("rm -f /app/*.dbg", build[publish].Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFinalStageExposes8080AndListensThere()
    {
        Assert.Contains(Docker.FinalStage, i => i.Keyword == "EXPOSE" && i.Arguments.Split(' ').Contains("8080"));
        var env = string.Join(" ", Docker.FinalStage.Where(i => i.Keyword == "ENV").Select(i => i.Arguments));
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", env, StringComparison.Ordinal);
        Assert.Contains("AlertHealer__Store__ConnectionString=\"Data Source=/var/lib/alerthealer/alerthealer.db\"", env, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFinalStageDeclaresTheDataVolumeAndStartsTheApp()
    {
        Assert.Contains(Docker.FinalStage, i => i.Keyword == "VOLUME" && i.Arguments == "/var/lib/alerthealer");
        var entrypoint = Assert.Single(Docker.FinalStage, i => i.Keyword == "ENTRYPOINT");
        Assert.Equal("[\"/app/AlertHealer\"]", entrypoint.Arguments);
    }

    [Fact]
    public void TheDockerignoreKeepsBuildOutputTestsGitAndDatabasesOut()
    {
        var patterns = RepoFiles.Read(".dockerignore").ReplaceLineEndings("\n").Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.TrimEnd('/'))
            .ToHashSet(StringComparer.Ordinal);

        foreach (var expected in new[] { "**/bin", "**/obj", "tests", ".git", "**/node_modules", "**/*.db" })
        {
            Assert.Contains(expected, patterns);
        }

        // What the build needs must not be ignored.
        Assert.DoesNotContain(patterns, p => p is "src" or "*" or "Directory.Build.props" or "Directory.Packages.props" or "*.props");
    }
}
