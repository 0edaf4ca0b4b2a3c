using System.Globalization;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Detection;

// deploy/grafana/alerting: the Loki rules as Grafana-managed rules, the webhook contact point
// and the notification policy. The rules must detect exactly what the Loki ruler does.
public class GrafanaAlertingTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string Signature(LogQlAnalysis a) =>
        JsonSerializer.Serialize(new { a.Matchers, a.LineFilters, a.Ranges, a.Groupings }, Json);

    [Fact]
    public async Task EachGrafanaRuleHasTheSignatureThresholdAndLabelsOfItsLokiRule()
    {
        var grafana = GrafanaAlerting.Rules();
        Assert.Contains(grafana, r => r.Title == "WhiskerBackendWedged");

        foreach (var rule in grafana)
        {
            var loki = RuleFiles.LokiAlert(rule.Title);
            var analyses = await LogQl.AnalyseAsync([loki.Expr, rule.Expr]);
            var (lokiAnalysis, grafanaAnalysis) = (analyses[0], analyses[1]);

            Assert.True(grafanaAnalysis.Parsed, $"{rule}: {rule.Expr}");
            Assert.Equal(Signature(lokiAnalysis), Signature(grafanaAnalysis));
            // Loki compares in LogQL; Grafana in its threshold condition, never in both.
            Assert.Empty(grafanaAnalysis.Comparisons);
            Assert.Equal(Assert.Single(lokiAnalysis.Comparisons), rule.Threshold);
            Assert.Equal(Duration(Yaml.Scalar(loki.Node, "for")), Duration(rule.For));
            Assert.Equal(loki.Labels.OrderBy(kv => kv.Key), rule.Labels.OrderBy(kv => kv.Key));
            Assert.Equal(loki.Annotations["runbook_url"], rule.Annotations["runbook_url"]);
        }
    }

    [Fact]
    public async Task TheGrafanaWedgeRuleKeepsEveryWedgedLineAndNoHealthyOne()
    {
        var analysis = Assert.Single(await LogQl.AnalyseAsync([GrafanaAlerting.Rule("WhiskerBackendWedged").Expr]));
        string[] Lines(string name) => File.ReadAllLines(Tool.InRepo("tests", "AlertHealer.Tests", "Fixtures", "whisker-backend", name))
            .Where(line => line.Length > 0).ToArray();

        var wedged = Lines("wedged.log");
        var healthy = Lines("healthy.log");

        Assert.NotEmpty(wedged);
        Assert.NotEmpty(healthy);
        Assert.All(wedged, line => Assert.True(LogQl.Keeps(analysis.LineFilters, line), $"not matched: {line}"));
        Assert.All(healthy, line => Assert.False(LogQl.Keeps(analysis.LineFilters, line), $"matched: {line}"));
    }

    [Fact]
    public void TheWedgeConditionIsAThresholdOverAnInstantLokiQuery()
    {
        var rule = GrafanaAlerting.Rule("WhiskerBackendWedged");

        Assert.Equal("C", Yaml.Scalar(rule.Node, "condition"));
        Assert.Equal("threshold", Yaml.Scalar(rule.Condition, "type"));
        Assert.Equal("__expr__", Yaml.Scalar(rule.Query("C"), "datasourceUid"));
        Assert.Equal("A", Yaml.Scalar(rule.Condition, "expression"));
        Assert.NotEqual("__expr__", Yaml.Scalar(rule.Query("A"), "datasourceUid"));
        Assert.Equal("instant", Yaml.Scalar(rule.Model("A"), "queryType"));
        // No data is the healthy case; it must not raise an alert that reaches AlertHealer.
        Assert.Equal("OK", Yaml.Scalar(rule.Node, "noDataState"));
        Assert.Equal("alerthealer", rule.Labels["remediation"]);
        // Grafana expands $NAME in provisioned labels as environment variables.
        Assert.All(GrafanaAlerting.Rules().SelectMany(r => r.Labels.Values), v => Assert.DoesNotContain("$", v, StringComparison.Ordinal));
    }

    [Fact]
    public void TheContactPointPostsToTheWebhookWithABearerTokenThatIsNotInTheFile()
    {
        var contactPoint = Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(GrafanaAlerting.Load("contact-points.yaml"), "contactPoints").Children));
        var receiver = Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(contactPoint, "receivers").Children));
        var settings = Yaml.Mapping(receiver, "settings");

        Assert.Equal("1", Yaml.Scalar(GrafanaAlerting.Load("contact-points.yaml"), "apiVersion"));
        Assert.Equal("alerthealer", Yaml.Scalar(contactPoint, "name"));
        Assert.Equal("webhook", Yaml.Scalar(receiver, "type"));
        Assert.Equal("false", Yaml.Scalar(receiver, "disableResolveMessage"));
        Assert.Equal("http://alerthealer.alerthealer.svc:8080/webhook/alertmanager", Yaml.Scalar(settings, "url"));
        Assert.Equal("POST", Yaml.Scalar(settings, "httpMethod"));
        Assert.Equal("Bearer", Yaml.Scalar(settings, "authorization_scheme"));
        Assert.Equal("$ALERTHEALER_WEBHOOK_TOKEN", Yaml.Scalar(settings, "authorization_credentials"));
        // A custom payload, title or message would change the body AlertHealer reads.
        Assert.Null(Yaml.Child(settings, "payload"));
        Assert.Null(Yaml.Child(settings, "message"));
    }

    [Theory]
    [InlineData("alerthealer", new[] { "alertname=WhiskerBackendWedged", "grafana_folder=AlertHealer", "namespace=calico-system",
        "pod=whisker-5b8d6c7f9-x2kqp", "remediation=alerthealer", "severity=warning" })]
    [InlineData("grafana-default-email", new[] { "alertname=DatasourceError", "grafana_folder=AlertHealer", "remediation=alerthealer",
        "severity=warning", "datasource_uid=loki", "ref_id=A" })]
    [InlineData("grafana-default-email", new[] { "alertname=AlertHealerNeedsHumanLogged", "grafana_folder=AlertHealer",
        "namespace=alerthealer", "severity=critical" })]
    [InlineData("alerthealer", new[] { "alertname=AlertHealerDetectionHeartbeat", "grafana_folder=AlertHealer",
        "rule_group=alerthealer-heartbeat", "severity=none" })]
    public async Task TheNotificationPolicyRoutesOnlyWedgeAlertsToAlerthealer(string receiver, string[] labels)
    {
        // Grafana's policy tree is Alertmanager's routing tree; amtool decides the route.
        var path = Path.Combine(Path.GetTempPath(), $"grafana-policy-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(path, AlertmanagerConfigOfThePolicy());

            var result = await Tool.RunAsync(Tool.Amtool(),
                ["config", "routes", "test", $"--config.file={path}", $"--verify.receivers={receiver}", .. labels]);

            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheAlerthealerRouteGroupsPerPodContinuesAndUsesTheContactPoint()
    {
        var policy = Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(GrafanaAlerting.Load("policies.yaml"), "policies").Children));
        var route = Assert.Single(Yaml.Sequence(policy, "routes").Children.Cast<YamlMappingNode>(),
            r => Yaml.Scalar(r, "receiver") == "alerthealer" && Yaml.Child(r, "continue") is not null && Yaml.Scalar(r, "continue") == "true");
        var contactPoint = Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(GrafanaAlerting.Load("contact-points.yaml"), "contactPoints").Children));

        Assert.Equal(Yaml.Scalar(contactPoint, "name"), Yaml.Scalar(route, "receiver"));
        Assert.Equal(["alertname", "namespace", "pod"], Yaml.Strings(route, "group_by"));
        Assert.Equal("true", Yaml.Scalar(route, "continue"));
        Assert.Contains(["remediation", "=", "alerthealer"], Yaml.Sequence(route, "object_matchers").Children
            .Select(m => ((YamlSequenceNode)m).Children.Select(c => ((YamlScalarNode)c).Value).ToArray()));
    }

    [Fact]
    public void TheHeartbeatRuleAlwaysFiresAndItsRouteRepeatsAboutEveryMinute()
    {
        var rule = GrafanaAlerting.Rule("AlertHealerDetectionHeartbeat");
        var policy = Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(GrafanaAlerting.Load("policies.yaml"), "policies").Children));
        var routes = Yaml.Sequence(policy, "routes").Children.Cast<YamlMappingNode>().ToList();
        var route = Assert.Single(routes, r => Yaml.Sequence(r, "object_matchers").Children
            .Any(m => ((YamlSequenceNode)m).Children.Select(c => ((YamlScalarNode)c).Value).SequenceEqual(["alertname", "=", "AlertHealerDetectionHeartbeat"])));

        Assert.Equal("vector(1)", rule.Expr.Trim());
        Assert.Equal(new LogQlComparison(">", 0, Bool: false), rule.Threshold);
        Assert.Equal("alerthealer-heartbeat", rule.Labels["rule_group"]);
        Assert.DoesNotContain("remediation", rule.Labels.Keys);
        Assert.Equal(0, routes.IndexOf(route));
        Assert.Equal(("alerthealer", "false"), (Yaml.Scalar(route, "receiver"), Yaml.Scalar(route, "continue")));
        Assert.Equal(("30s", "1m"), (Yaml.Scalar(route, "group_interval"), Yaml.Scalar(route, "repeat_interval")));
    }

    // The policy file as an Alertmanager configuration: object_matchers become matchers.
    private static string AlertmanagerConfigOfThePolicy()
    {
        var policy = Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(GrafanaAlerting.Load("policies.yaml"), "policies").Children));
        var receivers = new HashSet<string>(StringComparer.Ordinal) { Yaml.Scalar(policy, "receiver")! };
        var routes = new YamlSequenceNode();
        foreach (YamlMappingNode child in Yaml.Sequence(policy, "routes").Children)
        {
            receivers.Add(Yaml.Scalar(child, "receiver")!);
            var matchers = new YamlSequenceNode(Yaml.Sequence(child, "object_matchers").Children.Cast<YamlSequenceNode>()
                .Select(m => new YamlScalarNode(Matcher(m.Children.Select(c => ((YamlScalarNode)c).Value!).ToArray()))));
            var route = new YamlMappingNode(
                "receiver", Yaml.Scalar(child, "receiver")!,
                "continue", Yaml.Scalar(child, "continue") ?? "false");
            route.Add("matchers", matchers);
            route.Add("group_by", new YamlSequenceNode(Yaml.Strings(child, "group_by").Select(g => new YamlScalarNode(g))));
            routes.Add(route);
        }
        var root = new YamlMappingNode(
            "route", new YamlMappingNode(
                "receiver", Yaml.Scalar(policy, "receiver")!,
                "group_by", new YamlSequenceNode(Yaml.Strings(policy, "group_by").Select(g => new YamlScalarNode(g))),
                "routes", routes),
            "receivers", new YamlSequenceNode(receivers.Select(r => new YamlMappingNode("name", r))));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static string Matcher(string[] m) =>
        $"{m[0]}{m[1]}\"{m[2].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    private static TimeSpan Duration(string? text)
    {
        Assert.False(string.IsNullOrEmpty(text));
        var value = double.Parse(text[..^1], CultureInfo.InvariantCulture);
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => throw new FormatException(text),
        };
    }
}
