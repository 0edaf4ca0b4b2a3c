using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Detection;

public class AlertmanagerConfigTests
{
    private const string ConfigPath = "deploy/alertmanager/alertmanager.yaml";

    // amtool only parses http_config; it does not open credentials_file, so the
    // real file is checked as it is, without a token file on this machine.
    [Fact]
    public async Task AmtoolAcceptsTheAlertmanagerConfig()
    {
        var result = await Tool.RunAsync(Tool.Amtool(), ["check-config", ConfigPath]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task AWedgedWhiskerAlertIsRoutedToAlerthealer()
    {
        // The labels of a real notification for this alert.
        using var firing = JsonDocument.Parse(File.ReadAllText(
            Tool.InRepo("tests", "AlertHealer.Tests", "Fixtures", "alertmanager", "firing.json")));
        var labels = firing.RootElement.GetProperty("commonLabels").EnumerateObject()
            .Select(p => $"{p.Name}={p.Value.GetString()}")
            .ToList();

        var result = await RouteAsync(ConfigPath, "alerthealer", labels);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task TheAlerthealerRouteLetsPeoplesRoutesSeeTheAlertToo()
    {
        // Append a typical catch-all team route after the AlertHealer routes.
        var root = Yaml.Load(Tool.InRepo(ConfigPath.Split('/')));
        Yaml.Sequence(Yaml.Mapping(root, "route"), "routes").Add(new YamlMappingNode(
            "receiver", "people",
            "matchers", new YamlSequenceNode(new YamlScalarNode("severity=~\"warning|critical\""))));
        Yaml.Sequence(root, "receivers").Add(new YamlMappingNode("name", "people"));
        var path = Path.Combine(Path.GetTempPath(), $"alertmanager-{Guid.NewGuid():N}.yaml");
        try
        {
            await using (var writer = new StreamWriter(path))
            {
                new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
            }

            var result = await RouteAsync(path, "alerthealer,people",
                ["alertname=WhiskerBackendWedged", "remediation=alerthealer", "severity=warning",
                 "namespace=calico-system", "pod=whisker-5b8d6c7f9-x2kqp"]);

            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task AnEscalationGoesToPeopleAndNeverBackToAlerthealer()
    {
        // Even if AlertHealer copied the remediation label onto its escalation.
        var result = await RouteAsync(ConfigPath, "alerthealer-humans",
            ["alertname=AlertHealerEscalation", "remediation=alerthealer", "severity=critical",
             "policy=whisker-backend-wedged", "namespace=calico-system", "pod=whisker-5b8d6c7f9-x2kqp"]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task AlertsAboutAlerthealerItselfGoToPeople()
    {
        var result = await RouteAsync(ConfigPath, "alerthealer-humans",
            ["alertname=AlertHealerBreakerOpen", "severity=warning", "job=alerthealer"]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void TheAlerthealerRouteGroupsPerPodAndContinues()
    {
        var route = Assert.Single(
            Yaml.Sequence(Yaml.Mapping(Yaml.Load(Tool.InRepo(ConfigPath.Split('/'))), "route"), "routes")
                .Children.Cast<YamlMappingNode>(),
            r => Yaml.Scalar(r, "receiver") == "alerthealer" && Yaml.Strings(r, "matchers").Contains("remediation=\"alerthealer\""));

        Assert.Equal(["remediation=\"alerthealer\""], Yaml.Strings(route, "matchers"));
        Assert.Equal(["alertname", "namespace", "pod"], Yaml.Strings(route, "group_by"));
        Assert.Equal("true", Yaml.Scalar(route, "continue"));
        Assert.Equal("30s", Yaml.Scalar(route, "group_wait"));
        Assert.Equal("5m", Yaml.Scalar(route, "group_interval"));
    }

    [Fact]
    public void TheAlerthealerWebhookGoesOverHttpsAuthenticatesWithTheTokenFileAndSendsResolved()
    {
        var receiver = Assert.Single(
            Yaml.Sequence(Yaml.Load(Tool.InRepo(ConfigPath.Split('/'))), "receivers").Children.Cast<YamlMappingNode>(),
            r => Yaml.Scalar(r, "name") == "alerthealer");
        var webhook = Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(receiver, "webhook_configs").Children));
        var authorization = Yaml.Mapping(Yaml.Mapping(webhook, "http_config"), "authorization");

        Assert.Equal("https://alerthealer.alerthealer.svc:8443/webhook/alertmanager", Yaml.Scalar(webhook, "url"));
        var tls = Yaml.Mapping(Yaml.Mapping(webhook, "http_config"), "tls_config");
        Assert.Equal("/etc/alertmanager/secrets/alerthealer/ca.crt", Yaml.Scalar(tls, "ca_file"));
        Assert.Null(Yaml.Child(tls, "insecure_skip_verify"));
        Assert.Equal("true", Yaml.Scalar(webhook, "send_resolved"));
        Assert.Equal("20", Yaml.Scalar(webhook, "max_alerts"));
        Assert.Equal("/etc/alertmanager/secrets/alerthealer/webhook-token", Yaml.Scalar(authorization, "credentials_file"));
        Assert.Null(Yaml.Child(authorization, "credentials"));
    }

    [Fact]
    public async Task TheDetectionHeartbeatGoesToAlerthealerOnlyAndNotToPeople()
    {
        var result = await RouteAsync(ConfigPath, "alerthealer",
            ["alertname=AlertHealerDetectionHeartbeat", "severity=none", "rule_group=alerthealer-heartbeat"]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void TheHeartbeatRouteRepeatsAboutEveryMinuteAndComesBeforeTheRouteToPeople()
    {
        var routes = Yaml.Sequence(Yaml.Mapping(Yaml.Load(Tool.InRepo(ConfigPath.Split('/'))), "route"), "routes")
            .Children.Cast<YamlMappingNode>().ToList();
        var heartbeat = Assert.Single(routes, r => Yaml.Strings(r, "matchers").Contains("alertname=\"AlertHealerDetectionHeartbeat\""));
        var people = Assert.Single(routes, r => Yaml.Strings(r, "matchers").Contains("alertname=~\"AlertHealer.+\""));

        Assert.True(routes.IndexOf(heartbeat) < routes.IndexOf(people));
        Assert.Equal("alerthealer", Yaml.Scalar(heartbeat, "receiver"));
        Assert.Equal("false", Yaml.Scalar(heartbeat, "continue"));
        Assert.Equal(["alertname"], Yaml.Strings(heartbeat, "group_by"));
        // Re-sent on the first group_interval tick after repeat_interval: every 60-90 s, well
        // inside AlertHealer's default limit of three expected intervals (3m).
        Assert.Equal(("0s", "30s", "1m"), (Yaml.Scalar(heartbeat, "group_wait"), Yaml.Scalar(heartbeat, "group_interval"), Yaml.Scalar(heartbeat, "repeat_interval")));
    }

    private static Task<ToolResult> RouteAsync(string config, string receivers, IEnumerable<string> labels) =>
        Tool.RunAsync(Tool.Amtool(),
            ["config", "routes", "test", $"--config.file={config}", $"--verify.receivers={receivers}", .. labels]);
}
