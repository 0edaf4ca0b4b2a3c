using System.Text.RegularExpressions;

namespace AlertHealer.Tests.Detection;

public partial class PrometheusRulesTests
{
    private const string RulesPath = "deploy/prometheus/alerthealer-rules.yaml";

    // The metric names AlertHealer exposes at GET /metrics, and `up` from the scrape.
    private static readonly string[] KnownMetrics =
    [
        "alerthealer_remediations_total",
        "alerthealer_breaker_open",
        "alerthealer_policy_needs_human",
        "alerthealer_inbox_depth",
        "alerthealer_inbox_oldest_pending_seconds",
        "alerthealer_dependency_errors_total",
        "alerthealer_build_info",
        "alerthealer_fenced_writes_total",
        "alerthealer_detection_heartbeat_age_seconds",
        "alerthealer_detection_heartbeat_stale_after_seconds",
        "alerthealer_webhook_rejected_total",
        "alerthealer_preflight_ok",
        "alerthealer_config_last_reload_successful",
        "alerthealer_kubernetes_clock_skew_seconds",
        "up",
    ];

    private static readonly string[] ExpectedAlerts =
    [
        "AlertHealerDown",
        "AlertHealerRemediationFailing",
        "AlertHealerRestartNotEffective",
        "AlertHealerBreakerOpen",
        "AlertHealerNeedsHuman",
        "AlertHealerInboxBackingUp",
        "AlertHealerKubernetesErrors",
        "AlertHealerMixedVersions",
        "AlertHealerReplicaFenced",
        "AlertHealerDetectionHeartbeatStale",
        "AlertHealerWebhookDeliveriesRefused",
        "AlertHealerPreflightFailed",
        "AlertHealerConfigReloadFailed",
        "AlertHealerClockSkew",
    ];

    private static readonly string[] Keywords =
        ["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"];

    private static readonly Dictionary<string, string[]> KnownLabelValues = new()
    {
        ["outcome"] = ["restarted", "failed", "dry-run", "skipped-*", "suppressed-*"],
        ["verification"] = ["healed", "not-healed", "verified", "ineffective", "none"],
    };

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex LabelList();

    [GeneratedRegex(@"(?<![\w.:])(?>[a-zA-Z_:][a-zA-Z0-9_:]*)(?!\s*\()")]
    private static partial Regex Identifier();

    [GeneratedRegex("""\b(outcome|verification)\s*(=~|!~|!=|=)\s*"([^"]*)"?""")]
    private static partial Regex OutcomeMatcher();

    [Fact]
    public async Task PromtoolAcceptsTheAlerthealerRules()
    {
        var result = await Tool.RunAsync(Tool.Promtool(), ["check", "rules", RulesPath]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task ThePromtoolUnitTestsOfTheAlerthealerRulesPass()
    {
        var result = await Tool.RunAsync(Tool.Promtool(), ["test", "rules", "deploy/prometheus/alerthealer-rules.test.yaml"]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void EveryExpectedAlertAboutAlerthealerIsDefined()
    {
        var alerts = Rules().Select(r => r.Alert).ToList();

        Assert.All(ExpectedAlerts, name => Assert.Contains(name, alerts));
    }

    [Fact]
    public void TheRulesUseOnlyTheMetricsAlerthealerExposes()
    {
        var used = Rules().ToDictionary(r => r.Alert ?? r.Record ?? "", r => MetricNames(r.Expr));

        var unknown = used.SelectMany(kv => kv.Value.Except(KnownMetrics).Select(m => $"{kv.Key}: {m}")).ToList();
        Assert.True(unknown.Count == 0, "unknown metrics:\n" + string.Join('\n', unknown));
        Assert.All(used, kv => Assert.NotEmpty(kv.Value));
        Assert.Equal(KnownMetrics.Order(), used.Values.SelectMany(m => m).Distinct().Order());
    }

    [Fact]
    public void OutcomeAndVerificationMatchersNameValuesAlerthealerRecords()
    {
        var problems = new List<string>();
        foreach (var rule in Rules())
        {
            foreach (Match m in OutcomeMatcher().Matches(StripComments(rule.Expr)))
            {
                var label = m.Groups[1].Value;
                var values = m.Groups[2].Value.EndsWith('~') ? m.Groups[3].Value.Split('|') : [m.Groups[3].Value];
                problems.AddRange(values
                    .Where(v => !KnownLabelValues[label].Any(known => known.EndsWith('*')
                        ? v.StartsWith(known[..^1], StringComparison.Ordinal)
                        : v == known))
                    .Select(v => $"{rule.Alert}: {label} value `{v}` is never recorded"));
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void NoAlertAboutAlerthealerAsksAlerthealerToRemediate()
    {
        var rules = Rules().Concat(RuleFiles.LokiRuleFiles().SelectMany(RuleFiles.Rules))
            .Where(r => r.Alert?.StartsWith("AlertHealer", StringComparison.Ordinal) == true)
            .ToList();

        Assert.NotEmpty(rules);
        Assert.All(rules, r => Assert.False(r.Labels.ContainsKey("remediation"), $"{r} has a remediation label"));
    }

    [Fact]
    public void TheMetricNameScanSeesMetricsAndIgnoresFunctionsLabelsAndKeywords()
    {
        var names = MetricNames("""
            sum by (job, instance) (increase(foo_total{outcome="failed", x=~"a|b"}[5m] offset 1m)) > 0
            or on (job) absent(up{job="alerthealer"}) unless bar_seconds > bool 1e3
            """);

        Assert.Equal(["bar_seconds", "foo_total", "up"], names.Order());
    }

    private static List<Rule> Rules()
    {
        var rules = RuleFiles.Rules(Tool.InRepo(RulesPath.Split('/'))).ToList();
        Assert.NotEmpty(rules);
        return rules;
    }

    private static string StripComments(string expr) =>
        string.Join('\n', expr.Split('\n').Select(line => line.Split('#')[0]));

    /// <summary>The metric names a PromQL expression selects (enough PromQL for these rules).</summary>
    private static HashSet<string> MetricNames(string expr)
    {
        var text = StringLiteral().Replace(StripComments(expr), "\"\"");
        text = Regex.Replace(text, @"\{[^}]*\}", " ");   // label matchers
        text = Regex.Replace(text, @"\[[^\]]*\]", " ");   // ranges and subqueries
        text = Regex.Replace(text, @"\boffset\s+-?[0-9a-z]+", " ");
        text = LabelList().Replace(text, " ");
        return Identifier().Matches(text)
            .Select(m => m.Value)
            .Where(name => !Keywords.Contains(name.ToLowerInvariant()))
            .ToHashSet();
    }
}
