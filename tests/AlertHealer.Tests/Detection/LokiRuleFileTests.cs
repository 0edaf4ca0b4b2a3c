using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Detection;

public partial class LokiRuleFileTests
{
    private static readonly string[] GroupKeys = ["name", "interval", "limit", "rules"];
    private static readonly string[] AlertKeys = ["alert", "expr", "for", "keep_firing_for", "labels", "annotations"];
    private static readonly string[] RecordKeys = ["record", "expr", "labels"];
    private static readonly string[] DurationKeys = ["interval", "for", "keep_firing_for"];

    [GeneratedRegex("^([0-9]+(ms|s|m|h|d|w|y))+$")]
    private static partial Regex Duration();

    [Fact]
    public void LokiRuleFilesUseOnlyKeysTheRulerKnows()
    {
        var problems = new List<string>();
        foreach (var file in RuleFiles.LokiRuleFiles())
        {
            var name = Path.GetFileName(file);
            var root = Yaml.Load(file);
            problems.AddRange(Yaml.Keys(root).Where(k => k != "groups").Select(k => $"{name}: unknown top-level key {k}"));

            foreach (var group in Yaml.Sequence(root, "groups").Children.Cast<YamlMappingNode>())
            {
                var groupName = Yaml.Scalar(group, "name");
                if (string.IsNullOrWhiteSpace(groupName))
                {
                    problems.Add($"{name}: a group has no name");
                }
                problems.AddRange(Yaml.Keys(group).Except(GroupKeys).Select(k => $"{name} group {groupName}: unknown key {k}"));
                problems.AddRange(BadDurations(group, $"{name} group {groupName}"));

                foreach (var rule in Yaml.Sequence(group, "rules").Children.Cast<YamlMappingNode>())
                {
                    var keys = Yaml.Keys(rule).ToList();
                    var isAlert = keys.Contains("alert");
                    var isRecord = keys.Contains("record");
                    var where = $"{name} group {groupName} rule {Yaml.Scalar(rule, isAlert ? "alert" : "record")}";
                    if (isAlert == isRecord)
                    {
                        problems.Add($"{where}: must have exactly one of alert and record");
                        continue;
                    }
                    problems.AddRange(keys.Except(isAlert ? AlertKeys : RecordKeys).Select(k => $"{where}: unknown key {k}"));
                    if (string.IsNullOrWhiteSpace(Yaml.Scalar(rule, "expr")))
                    {
                        problems.Add($"{where}: no expr");
                    }
                    problems.AddRange(BadDurations(rule, where));
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TheWedgeAlertCarriesTheLabelsTheAlerthealerRouteKeysOn()
    {
        var labels = RuleFiles.LokiAlert("WhiskerBackendWedged").Labels;

        Assert.Equal("alerthealer", labels.GetValueOrDefault("remediation"));
        Assert.Contains(labels.GetValueOrDefault("severity"), new[] { "info", "warning", "critical" });
    }

    [Fact]
    public void TheHeartbeatFiresOnEveryEvaluationAndNamesItsGroup()
    {
        var rule = RuleFiles.LokiAlert("AlertHealerDetectionHeartbeat");

        // vector(1) reads no logs: only a ruler that stopped evaluating stops it.
        Assert.Equal("vector(1) > 0", rule.Expr.Trim());
        Assert.Equal("0m", Yaml.Scalar(rule.Node, "for"));
        Assert.Equal(rule.Group, rule.Labels["rule_group"]);
        // Never a remediation, and not the wedge route's label.
        Assert.DoesNotContain("remediation", rule.Labels.Keys);
    }

    [Fact]
    public void TheWedgeAlertSummaryReportsTheCountAndARunbook()
    {
        var annotations = RuleFiles.LokiAlert("WhiskerBackendWedged").Annotations;

        Assert.Contains("{{ $value }}", annotations.GetValueOrDefault("summary") ?? "", StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(annotations.GetValueOrDefault("description")));
        Assert.False(string.IsNullOrWhiteSpace(annotations.GetValueOrDefault("runbook_url")));
    }

    [Fact]
    public void EveryRunbookUrlPointsAtARunbookInTheRepository()
    {
        var rules = RuleFiles.LokiRuleFiles()
            .Append(Tool.InRepo("deploy", "prometheus", "alerthealer-rules.yaml"))
            .SelectMany(RuleFiles.Rules)
            .Where(r => r.Alert is not null)
            .ToList();

        var problems = new List<string>();
        foreach (var rule in rules)
        {
            var url = rule.Annotations.GetValueOrDefault("runbook_url");
            // The repository path of the runbook, also when the URL is made absolute on deployment.
            var at = url?.IndexOf("docs/runbooks/", StringComparison.Ordinal) ?? -1;
            if (at < 0)
            {
                problems.Add($"{rule}: runbook_url `{url}` does not point into docs/runbooks/");
            }
            else if (!File.Exists(Tool.InRepo(url![at..].Split('#')[0].Split('/'))))
            {
                problems.Add($"{rule}: {url![at..]} does not exist");
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task TheLokiRuleLabelsAndAnnotationsAreValidTemplates()
    {
        // promtool checks label names and template syntax; it cannot parse LogQL, so
        // every expression is swapped for a PromQL stand-in first.
        foreach (var file in RuleFiles.LokiRuleFiles())
        {
            var root = Yaml.Load(file);
            foreach (var group in Yaml.Sequence(root, "groups").Children.Cast<YamlMappingNode>())
            {
                foreach (var rule in Yaml.Sequence(group, "rules").Children.Cast<YamlMappingNode>())
                {
                    rule.Children[new YamlScalarNode("expr")] = new YamlScalarNode("vector(1)");
                }
            }
            var path = Path.Combine(Path.GetTempPath(), $"loki-rules-{Guid.NewGuid():N}.yaml");
            try
            {
                await using (var writer = new StreamWriter(path))
                {
                    new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
                }

                var result = await Tool.RunAsync(Tool.Promtool(), ["check", "rules", path]);

                Assert.True(result.ExitCode == 0, $"{Path.GetFileName(file)}:\n{result}");
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    private static IEnumerable<string> BadDurations(YamlMappingNode node, string where) =>
        DurationKeys
            .Select(key => (key, value: Yaml.Scalar(node, key)))
            .Where(kv => kv.value is not null && !Duration().IsMatch(kv.value))
            .Select(kv => $"{where}: {kv.key} `{kv.value}` is not a duration");
}
