using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlertHealer.Audit;
using AlertHealer.Tests.Detection;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;

namespace AlertHealer.Tests.Deploy;

public sealed class GrafanaDashboardTests
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    [Fact]
    public void TheDashboardIsAnImportableGrafanaDashboard()
    {
        var dashboard = GrafanaDashboard.Load();

        Assert.Equal("alerthealer", (string?)dashboard["uid"]);
        Assert.Equal("AlertHealer", (string?)dashboard["title"]);
        Assert.True((int)dashboard["schemaVersion"]! >= 36, $"schemaVersion {dashboard["schemaVersion"]}");
        Assert.StartsWith("now-", (string?)dashboard["time"]!["from"]);
        Assert.Equal("now", (string?)dashboard["time"]!["to"]);
        Assert.False(string.IsNullOrEmpty((string?)dashboard["refresh"]));
        // An exported id belongs to the Grafana it came from; importing must create a new one.
        Assert.True(dashboard["id"] is null, "the dashboard carries an instance-specific id");

        var variable = Assert.Single(dashboard["templating"]!["list"]!.AsArray(), v => (string?)v!["name"] == "datasource")!;
        Assert.Equal("datasource", (string?)variable["type"]);
        Assert.Equal("prometheus", (string?)variable["query"]);

        var panels = GrafanaDashboard.Panels(dashboard).ToList();
        Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
        Assert.All(panels, p =>
        {
            var grid = p["gridPos"]!;
            Assert.True((int)grid["w"]! is > 0 and <= 24 && (int)grid["x"]! + (int)grid["w"]! <= 24, $"panel '{p["title"]}' gridPos {grid}");
            Assert.False(string.IsNullOrWhiteSpace((string?)p["title"]));
        });
        Assert.All(panels.Where(p => !GrafanaDashboard.IsRow(p)), p =>
        {
            var targets = p["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            Assert.Equal(targets.Count, targets.Select(t => (string?)t!["refId"]).Distinct().Count());
            Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace((string?)t!["expr"]), $"panel '{p["title"]}'"));
        });
    }

    [Fact]
    public void EveryPanelAndQueryUsesTheDatasourceVariable()
    {
        var dashboard = GrafanaDashboard.Load();
        var panels = GrafanaDashboard.Panels(dashboard).Where(p => !GrafanaDashboard.IsRow(p)).ToList();
        var queryVariables = dashboard["templating"]!["list"]!.AsArray().Where(v => (string?)v!["type"] == "query");
        var annotations = dashboard["annotations"]!["list"]!.AsArray().Where(a => a!["expr"] is not null);

        var users = panels
            .Concat(panels.SelectMany(p => p["targets"]!.AsArray().Select(t => t!.AsObject())))
            .Concat(queryVariables.Select(v => v!.AsObject()))
            .Concat(annotations.Select(a => a!.AsObject()))
            .ToList();

        Assert.NotEmpty(panels);
        Assert.All(users, u =>
        {
            Assert.Equal("prometheus", (string?)u["datasource"]?["type"]);
            Assert.Equal(GrafanaDashboard.DatasourceVariable, (string?)u["datasource"]?["uid"]);
        });
    }

    [Fact]
    public async Task PromtoolParsesEveryExpression()
    {
        var queries = GrafanaDashboard.Queries(GrafanaDashboard.Load());

        var result = await CheckAsRulesAsync(queries.Select(q => GrafanaDashboard.Concrete(q.Expr)));

        var names = string.Join('\n', queries.Select((q, i) => $"dashboard:expr_{i} is {q.Where}"));
        Assert.True(result.ExitCode == 0, $"{result}\n{names}");
        Assert.Contains($"SUCCESS: {queries.Count} rules found", result.StdOut + result.StdErr);
    }

    // The check above would pass on anything if the wrapping hid the expression from promtool.
    [Fact]
    public async Task PromtoolRefusesABrokenExpressionInTheSameWrapping()
    {
        var result = await CheckAsRulesAsync(["sum by (policy) (rate(alerthealer_remediations_total[5m])"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("dashboard:expr_0", result.StdOut + result.StdErr);
    }

    [Fact]
    public async Task EveryAlerthealerMetricTheDashboardUsesIsExposed()
    {
        var exposed = await ExposedSeriesAsync();
        var queries = GrafanaDashboard.Queries(GrafanaDashboard.Load());

        var unknown = queries
            .SelectMany(q => GrafanaDashboard.AlerthealerMetrics(q.Expr).Select(m => (q.Where, Metric: m)))
            .Where(u => !exposed.Contains(u.Metric))
            .Select(u => $"{u.Where}: {u.Metric}")
            .ToList();

        Assert.True(unknown.Count == 0, "not in GET /metrics:\n" + string.Join('\n', unknown) + "\nexposed:\n" + string.Join('\n', exposed.Order()));
        Assert.Contains(queries, q => GrafanaDashboard.AlerthealerMetrics(q.Expr).Any());
    }

    // The questions an operator brings to this dashboard, each answered by some panel.
    [Theory]
    [InlineData("decisions by outcome", "alerthealer_remediations_total", "by (outcome)")]
    [InlineData("restarts and their verification", "alerthealer_remediations_total{", "outcome=\"restarted\"")]
    [InlineData("inbox depth", "alerthealer_inbox_depth", "")]
    [InlineData("oldest undecided alert", "alerthealer_inbox_oldest_pending_seconds", "")]
    [InlineData("breaker", "alerthealer_breaker_open", "")]
    [InlineData("needs-human", "alerthealer_policy_needs_human", "by (policy)")]
    [InlineData("cooldowns", "alerthealer_policy_cooldown_seconds", "by (policy)")]
    [InlineData("dependency latency", "alerthealer_dependency_call_duration_seconds_bucket", "histogram_quantile(")]
    [InlineData("dependency errors", "alerthealer_dependency_errors_total", "by (dependency, operation)")]
    [InlineData("webhook latency", "alerthealer_webhook_duration_seconds_bucket", "histogram_quantile(")]
    [InlineData("detection heartbeat", "alerthealer_detection_heartbeat_age_seconds", "")]
    [InlineData("policy reloads", "alerthealer_config_last_reload_successful", "")]
    [InlineData("preflight", "alerthealer_preflight_ok", "by (policy, check)")]
    [InlineData("refused deliveries", "alerthealer_webhook_rejected_total", "by (reason)")]
    [InlineData("fenced writes", "alerthealer_fenced_writes_total", "")]
    public void APanelAnswers(string question, string metric, string shape)
    {
        var panels = GrafanaDashboard.Panels(GrafanaDashboard.Load()).Where(p => !GrafanaDashboard.IsRow(p));

        var answering = panels.Where(p => p["targets"]!.AsArray().Any(t =>
            ((string)t!["expr"]!).Contains(metric, StringComparison.Ordinal) && ((string)t["expr"]!).Contains(shape, StringComparison.Ordinal)));

        Assert.True(answering.Any(), $"no panel shows {question} ({metric} with {shape})");
    }

    private static async Task<ToolResult> CheckAsRulesAsync(IEnumerable<string> exprs)
    {
        // Each expression as a recording rule: promtool parses and checks every one. JSON is YAML.
        var rules = exprs.Select((expr, i) => new JsonObject { ["record"] = $"dashboard:expr_{i}", ["expr"] = expr });
        var file = new JsonObject { ["groups"] = new JsonArray(new JsonObject { ["name"] = "dashboard", ["rules"] = new JsonArray([.. rules]) }) };
        var directory = Directory.CreateTempSubdirectory("alerthealer-dashboard-");
        try
        {
            var path = Path.Combine(directory.FullName, "dashboard-rules.yaml");
            await File.WriteAllTextAsync(path, file.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return await Tool.RunAsync(Tool.Promtool(), ["check", "rules", path]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // The metric names a running AlertHealer exposes with at least one sample, after a restart
    // that healed and a guard that said no, and a preflight run, so that labelled series exist;
    // a histogram also under its base name.
    private static async Task<HashSet<string>> ExposedSeriesAsync()
    {
        await using var app = (await TestApp.StartAsync(s => s["AlertHealer:Preflight:Enabled"] = "true")).WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        (await app.PostWebhookAsync(Fixtures.Firing)).EnsureSuccessStatusCode();
        await app.WaitForAuditAsync(e => e.Verification == Verifications.Healed, "healed");
        (await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000bb"))).EnsureSuccessStatusCode();
        await app.WaitForOutcomeAsync(Outcomes.Cooldown);

        // The first preflight runs beside the start, not before it: on a loaded machine it may finish after the heal.
        var text = await app.Anonymous.GetStringAsync("/metrics");
        for (var wait = Stopwatch.StartNew(); !text.Contains("\nalerthealer_preflight_ok{", StringComparison.Ordinal) && wait.Elapsed < TimeSpan.FromSeconds(30);)
        {
            await Task.Delay(100);
            text = await app.Anonymous.GetStringAsync("/metrics");
        }
        var lines = text.Split('\n');
        var histograms = lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal) && l.EndsWith(" histogram", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[2]).ToHashSet();
        var series = lines.Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('{', ' ')[0])
            .ToHashSet();
        foreach (var name in series.ToList())
        {
            var suffix = HistogramSuffixes.FirstOrDefault(s => name.EndsWith(s, StringComparison.Ordinal));
            if (suffix is not null && histograms.Contains(name[..^suffix.Length])) series.Add(name[..^suffix.Length]);
        }
        Assert.Contains("alerthealer_remediations_total", series);
        return series;
    }
}
