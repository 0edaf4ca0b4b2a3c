using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Detection;

/// <summary>One rule of a Prometheus-format rule file (Loki ruler or Prometheus).</summary>
internal sealed record Rule(string File, string Group, YamlMappingNode Node)
{
    public string? Alert => Yaml.Scalar(Node, "alert");

    public string? Record => Yaml.Scalar(Node, "record");

    public string Expr => Yaml.Scalar(Node, "expr") ?? "";

    public IReadOnlyDictionary<string, string> Labels => Yaml.StringMap(Node, "labels");

    public IReadOnlyDictionary<string, string> Annotations => Yaml.StringMap(Node, "annotations");

    public override string ToString() => $"{File} group {Group} rule {Alert ?? Record}";
}

internal static class RuleFiles
{
    /// <summary>Every rule file under loki-rules/.</summary>
    public static IReadOnlyList<string> LokiRuleFiles()
    {
        var files = Directory.EnumerateFiles(Tool.InRepo("loki-rules"))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(files);
        return files;
    }

    public static IReadOnlyList<Rule> Rules(string path)
    {
        var root = Yaml.Load(path);
        var relative = Path.GetRelativePath(Tool.RepoRoot, path);
        var rules = new List<Rule>();
        foreach (var group in Yaml.Sequence(root, "groups").Children.Cast<YamlMappingNode>())
        {
            var name = Yaml.Scalar(group, "name") ?? "";
            rules.AddRange(Yaml.Sequence(group, "rules").Children
                .Cast<YamlMappingNode>()
                .Select(rule => new Rule(relative, name, rule)));
        }
        return rules;
    }

    public static Rule LokiAlert(string alert)
    {
        var matches = LokiRuleFiles().SelectMany(Rules).Where(r => r.Alert == alert).ToList();
        return Assert.Single(matches);
    }
}

/// <summary>Small accessors over YamlDotNet's representation model.</summary>
internal static class Yaml
{
    public static YamlMappingNode Load(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        var document = Assert.Single(stream.Documents);
        return Assert.IsType<YamlMappingNode>(document.RootNode);
    }

    public static IEnumerable<string> Keys(YamlMappingNode node) =>
        node.Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "");

    public static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    public static YamlSequenceNode Sequence(YamlMappingNode node, string key) =>
        Assert.IsType<YamlSequenceNode>(Child(node, key));

    public static YamlMappingNode Mapping(YamlMappingNode node, string key) =>
        Assert.IsType<YamlMappingNode>(Child(node, key));

    public static IReadOnlyDictionary<string, string> StringMap(YamlMappingNode node, string key) =>
        Child(node, key) is YamlMappingNode map
            ? map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ((YamlScalarNode)kv.Value).Value ?? "")
            : new Dictionary<string, string>();

    public static IReadOnlyList<string> Strings(YamlMappingNode node, string key) =>
        Sequence(node, key).Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList();
}
