namespace AlertHealer.Tests.Detection;

public class LokiRuleExpressionTests
{
    [Fact]
    public async Task EveryExpressionInTheLokiRuleFilesParsesWithGrafanasLogqlGrammar()
    {
        var rules = RuleFiles.LokiRuleFiles().SelectMany(RuleFiles.Rules).ToList();
        Assert.NotEmpty(rules);

        var analyses = await LogQl.AnalyseAsync(rules.Select(r => r.Expr).ToList());

        var failures = rules.Zip(analyses)
            .Where(pair => !pair.Second.Parsed)
            .Select(pair => $"{pair.First}: {string.Join("; ", pair.Second.Errors.Select(e => $"{e.Message} at {e.From} near `{e.Near}`"))}")
            .ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task EveryExpressionInTheGrafanaRulesParsesWithGrafanasLogqlGrammar()
    {
        var rules = GrafanaAlerting.Rules();
        Assert.NotEmpty(rules);

        var analyses = await LogQl.AnalyseAsync(rules.Select(r => r.Expr).ToList());

        Assert.All(rules.Zip(analyses), pair => Assert.True(pair.Second.Parsed && pair.First.Expr.Length > 0,
            $"{pair.First}: {string.Join("; ", pair.Second.Errors.Select(e => $"{e.Message} at {e.From} near `{e.Near}`"))}"));
    }

    [Fact]
    public async Task TheGrammarCheckRejectsBrokenExpressions()
    {
        string[] broken =
        [
            """count_over_time({namespace="calico-system" |~ "x" [11m])""",
            """sum by (pod) (count_over_time({container="whisker-backend"} |~ "x" [11m])) >=""",
            """{container="whisker-backend"} |~ "bad \q escape" """,
            "",
        ];

        var analyses = await LogQl.AnalyseAsync(broken);

        Assert.All(analyses, a => Assert.False(a.Parsed, $"`{a.Expr}` should not parse"));
    }
}
