using System.Text.RegularExpressions;
using AlertHealer.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Release;

// .woodpecker/: each file a workflow in Woodpecker's documented syntax
// (https://woodpecker-ci.org/docs/usage/workflow-syntax and its linter's JSON schema): known keys
// only, steps with an image and commands, a release on tags, and the test step running exactly
// the README's test command.
public sealed partial class WoodpeckerTests
{
    private static readonly HashSet<string> TopLevel = ["$schema", "variables", "clone", "skip_clone", "when", "steps", "services", "workspace", "matrix", "labels", "depends_on", "runs_on"];
    private static readonly HashSet<string> StepKeys = ["name", "image", "pull", "commands", "entrypoint", "environment", "directory", "settings", "when", "volumes", "depends_on", "detach", "failure", "privileged", "backend_options"];
    private static readonly HashSet<string> WhenKeys = ["repo", "branch", "event", "ref", "cron", "status", "platform", "environment", "matrix", "instance", "path", "evaluate"];
    private static readonly HashSet<string> Events = ["push", "pull_request", "pull_request_closed", "pull_request_metadata", "tag", "release", "deployment", "cron", "manual"];

    [GeneratedRegex(@"^```bash\n(?:(?!```).*\n)*?(?<command>bash tests/run\.sh)$", RegexOptions.Multiline)]
    private static partial Regex ReadmeTestCommand();

    private static IReadOnlyDictionary<string, YamlMappingNode> Workflows =>
        Directory.EnumerateFiles(RepoFiles.PathOf(".woodpecker"))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), Load);

    [Fact]
    public void EveryWorkflowUsesOnlyDocumentedKeys()
    {
        Assert.Equal(["release", "test"], Workflows.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, workflow) in Workflows)
        {
            Assert.All(Keys(workflow), k => Assert.True(TopLevel.Contains(k), $"{name}: unknown top-level key '{k}'"));
            Assert.All(Conditions(workflow), c => CheckCondition(name, c));
            var steps = Steps(workflow);
            Assert.NotEmpty(steps);
            foreach (var step in steps)
            {
                var label = $"{name}: step {Scalar(step, "name")}";
                Assert.All(Keys(step), k => Assert.True(StepKeys.Contains(k), $"{label}: unknown key '{k}'"));
                Assert.False(string.IsNullOrWhiteSpace(Scalar(step, "image")), $"{label} has no image");
                Assert.NotEmpty(Commands(step));
                if (step.Children.TryGetValue(new YamlScalarNode("when"), out var when))
                    Assert.All(AsConditions(when), c => CheckCondition(label, c));
            }
            if (workflow.Children.TryGetValue(new YamlScalarNode("depends_on"), out var dependsOn))
                Assert.All(((YamlSequenceNode)dependsOn).Children, d => Assert.Contains(((YamlScalarNode)d).Value!, Workflows.Keys));
        }
    }

    [Fact]
    public void TheTestStepRunsTheReadmeTestCommand()
    {
        var readme = ReadmeTestCommand().Match(RepoFiles.Read("README.md").ReplaceLineEndings("\n"));
        Assert.True(readme.Success, "README.md has no `bash tests/run.sh` in a bash block");
        var test = Assert.Single(Steps(Workflows["test"]), s => Scalar(s, "name") == "test");
        Assert.Equal([readme.Groups["command"].Value], Commands(test));
        // Every push and pull request, and the tag a release is built from.
        var events = Conditions(Workflows["test"]).SelectMany(EventsOf).ToList();
        Assert.Contains("push", events);
        Assert.Contains("pull_request", events);
        Assert.Contains("tag", events);
    }

    [Fact]
    public void TheReleaseRunsOnTagsAfterTheTestsAndBuildsTheLabelledImage()
    {
        var release = Workflows["release"];
        var conditions = Conditions(release);
        Assert.NotEmpty(conditions);
        Assert.All(conditions, c => Assert.Equal(["tag"], EventsOf(c)));
        Assert.Equal(["test"], ((YamlSequenceNode)release["depends_on"]).Children.Select(c => ((YamlScalarNode)c).Value));
        var script = string.Join("\n", Steps(release).SelectMany(Commands));
        foreach (var expected in new[] { "docker build", "--build-arg VERSION=$$version", "--build-arg REVISION=$$CI_COMMIT_SHA", "--build-arg CREATED=", "--build-arg SOURCE=", "sbom.cdx.json", "docker push", "Directory.Build.props" })
            Assert.Contains(expected, script, StringComparison.Ordinal);
        // Woodpecker substitutes $VAR itself; the shell's own variables must be written $$.
        Assert.DoesNotMatch(@"(?<!\$)\$(?!\$)", script);
    }

    // The step's own environment, given to this build's check-config: the shipped settings pass.
    [Fact]
    public async Task TheCheckConfigStepPassesOnTheShippedSettings()
    {
        var step = Assert.Single(Steps(Workflows["test"]), s => Scalar(s, "name") == "check-config");
        Assert.Contains("dotnet /tmp/alerthealer/AlertHealer.dll check-config", string.Join("\n", Commands(step)), StringComparison.Ordinal);
        var environment = ((YamlMappingNode)step["environment"]).Children
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value);
        environment["KUBECONFIG"] = null;
        environment["KUBERNETES_SERVICE_HOST"] = null;

        var exit = await AppProcess.RunToExitAsync(environment, Directory.CreateTempSubdirectory("alerthealer-woodpecker-").FullName, arguments: ["check-config"]);

        Assert.True(exit.ExitCode == 0, exit.Output);
        Assert.Contains("whisker", exit.StandardOutput, StringComparison.Ordinal);
    }

    private static void CheckCondition(string where, YamlMappingNode condition)
    {
        Assert.All(Keys(condition), k => Assert.True(WhenKeys.Contains(k), $"{where}: unknown `when` key '{k}'"));
        Assert.All(EventsOf(condition), e => Assert.True(Events.Contains(e), $"{where}: unknown event '{e}'"));
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static IEnumerable<string> Keys(YamlMappingNode node) => node.Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    // Steps as a list (each with its name) or as a map of name to step.
    private static List<YamlMappingNode> Steps(YamlMappingNode workflow) => workflow["steps"] switch
    {
        YamlSequenceNode list => list.Children.Cast<YamlMappingNode>().ToList(),
        YamlMappingNode map => map.Children.Select(kv => { var s = (YamlMappingNode)kv.Value; s.Children.TryAdd(new YamlScalarNode("name"), kv.Key); return s; }).ToList(),
        _ => [],
    };

    private static List<string> Commands(YamlMappingNode step) => step.Children.TryGetValue(new YamlScalarNode("commands"), out var commands) switch
    {
        false => [],
        true when commands is YamlSequenceNode list => list.Children.Select(c => ((YamlScalarNode)c).Value!.Trim()).ToList(),
        _ => [((YamlScalarNode)commands).Value!.Trim()],
    };

    private static List<YamlMappingNode> Conditions(YamlMappingNode workflow) =>
        workflow.Children.TryGetValue(new YamlScalarNode("when"), out var when) ? AsConditions(when) : [];

    private static List<YamlMappingNode> AsConditions(YamlNode when) =>
        when is YamlSequenceNode list ? list.Children.Cast<YamlMappingNode>().ToList() : [(YamlMappingNode)when];

    private static List<string> EventsOf(YamlMappingNode condition) =>
        condition.Children.TryGetValue(new YamlScalarNode("event"), out var e)
            ? e is YamlSequenceNode list ? list.Children.Select(c => ((YamlScalarNode)c).Value!).ToList() : [((YamlScalarNode)e).Value!]
            : [];
}
