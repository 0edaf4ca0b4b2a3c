using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Detection;

/// <summary>One Grafana-managed rule of deploy/grafana/alerting/rules.yaml.</summary>
internal sealed record GrafanaRule(string Group, YamlMappingNode Node)
{
    public string Title => Yaml.Scalar(Node, "title") ?? "";

    public string? For => Yaml.Scalar(Node, "for");

    public IReadOnlyDictionary<string, string> Labels => Yaml.StringMap(Node, "labels");

    public IReadOnlyDictionary<string, string> Annotations => Yaml.StringMap(Node, "annotations");

    public YamlMappingNode Query(string refId) => Assert.Single(
        Yaml.Sequence(Node, "data").Children.Cast<YamlMappingNode>(), q => Yaml.Scalar(q, "refId") == refId);

    public YamlMappingNode Model(string refId) => Yaml.Mapping(Query(refId), "model");

    /// <summary>The rule's condition: a threshold expression over one query.</summary>
    public YamlMappingNode Condition => Model(Yaml.Scalar(Node, "condition") ?? "");

    /// <summary>The LogQL query the condition reads.</summary>
    public string Expr => Yaml.Scalar(Model(Yaml.Scalar(Condition, "expression") ?? ""), "expr") ?? "";

    /// <summary>The threshold in LogQL's terms: Grafana's gte 10 is LogQL's <c>&gt;= 10</c>.</summary>
    public LogQlComparison Threshold
    {
        get
        {
            var evaluator = Yaml.Mapping(Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(Condition, "conditions").Children)), "evaluator");
            var op = Yaml.Scalar(evaluator, "type") switch
            {
                "gt" => ">", "gte" => ">=", "lt" => "<", "lte" => "<=", "eq" => "==", "ne" => "!=",
                var other => throw new NotSupportedException($"threshold type {other}"),
            };
            var value = double.Parse(Assert.Single(Yaml.Strings(evaluator, "params")), System.Globalization.CultureInfo.InvariantCulture);
            return new LogQlComparison(op, value, Bool: false);
        }
    }

    public override string ToString() => $"deploy/grafana/alerting/rules.yaml group {Group} rule {Title}";
}

internal static class GrafanaAlerting
{
    public static string PathOf(string file) => Tool.InRepo("deploy", "grafana", "alerting", file);

    public static YamlMappingNode Load(string file) => Yaml.Load(PathOf(file));

    public static IReadOnlyList<GrafanaRule> Rules() =>
        Yaml.Sequence(Load("rules.yaml"), "groups").Children.Cast<YamlMappingNode>()
            .SelectMany(group => Yaml.Sequence(group, "rules").Children.Cast<YamlMappingNode>()
                .Select(rule => new GrafanaRule(Yaml.Scalar(group, "name") ?? "", rule)))
            .ToList();

    public static GrafanaRule Rule(string title) => Assert.Single(Rules(), r => r.Title == title);
}
