using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Deploy;

/// <summary>One PromQL expression of deploy/grafana/alerthealer.json and where it is.</summary>
internal sealed record DashboardQuery(string Where, string Expr);

// deploy/grafana/alerthealer.json, read as Grafana reads it, and its PromQL made concrete.
internal static partial class GrafanaDashboard
{
    public const string RelativePath = "deploy/grafana/alerthealer.json";
    public const string DatasourceVariable = "${datasource}";

    // What Grafana puts in place of its variables when it sends a query. The dashboard's own
    // variables get a value of the kind they hold: a job name, and the regex of "All".
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["__rate_interval"] = "5m",
        ["__interval"] = "1m",
        ["__range"] = "1h",
        ["job"] = "alerthealer",
        ["instance"] = ".*",
    };

    public static JsonObject Load() => JsonNode.Parse(RepoFiles.Read(RelativePath.Split('/')))!.AsObject();

    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().Select(p => p!.AsObject())
            .SelectMany(p => p["panels"] is JsonArray nested ? [p, .. nested.Select(n => n!.AsObject())] : new[] { p });

    public static bool IsRow(JsonObject panel) => (string?)panel["type"] == "row";

    /// <summary>Every PromQL expression: panel targets and annotation queries, as written.</summary>
    public static IReadOnlyList<DashboardQuery> Queries(JsonObject dashboard)
    {
        var targets = Panels(dashboard).Where(p => !IsRow(p)).SelectMany(p => p["targets"]!.AsArray()
            .Select(t => new DashboardQuery($"panel '{p["title"]}' target {t!["refId"]}", (string)t["expr"]!)));
        var annotations = dashboard["annotations"]!["list"]!.AsArray()
            .Where(a => a!["expr"] is not null)
            .Select(a => new DashboardQuery($"annotation '{a!["name"]}'", (string)a["expr"]!));
        return targets.Concat(annotations).ToList();
    }

    /// <summary>An expression with Grafana's variables replaced, as Prometheus receives it.</summary>
    public static string Concrete(string expr)
    {
        var concrete = VariableReference().Replace(expr, m =>
        {
            var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return Variables.TryGetValue(name, out var value) ? value : m.Value;
        });
        Assert.False(concrete.Contains('$', StringComparison.Ordinal), $"a variable the tests do not know: {expr}");
        return concrete;
    }

    /// <summary>The metric names an expression selects that belong to AlertHealer.</summary>
    public static IEnumerable<string> AlerthealerMetrics(string expr) =>
        AlerthealerMetric().Matches(StringLiteral().Replace(expr, "\"\"")).Select(m => m.Value).Distinct();

    [GeneratedRegex(@"\$\{(\w+)\}|\$(\w+)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"\balerthealer_[a-z0-9_]+\b")]
    private static partial Regex AlerthealerMetric();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();
}
