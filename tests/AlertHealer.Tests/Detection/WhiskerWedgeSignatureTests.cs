using System.Globalization;

namespace AlertHealer.Tests.Detection;

public class WhiskerWedgeSignatureTests
{
    private static readonly Lazy<Task<LogQlAnalysis>> Analysis = new(async () =>
        Assert.Single(await LogQl.AnalyseAsync([RuleFiles.LokiAlert("WhiskerBackendWedged").Expr])));

    private static string[] FixtureLines(string name) =>
        File.ReadAllLines(Tool.InRepo("tests", "AlertHealer.Tests", "Fixtures", "whisker-backend", name))
            .Where(line => line.Length > 0)
            .ToArray();

    [Fact]
    public async Task EveryLineOfTheWedgedLogPassesTheLineFilters()
    {
        var filters = (await Analysis.Value).LineFilters;
        Assert.NotEmpty(filters);

        var lines = FixtureLines("wedged.log");
        Assert.NotEmpty(lines);
        var missed = lines.Where(line => !LogQl.Keeps(filters, line)).ToList();
        Assert.True(missed.Count == 0, "not matched:\n" + string.Join('\n', missed));
    }

    [Fact]
    public async Task NoLineOfTheHealthyLogPassesTheLineFilters()
    {
        var filters = (await Analysis.Value).LineFilters;
        Assert.NotEmpty(filters);

        var lines = FixtureLines("healthy.log");
        Assert.NotEmpty(lines);
        var matched = lines.Where(line => LogQl.Keeps(filters, line)).ToList();
        Assert.True(matched.Count == 0, "matched:\n" + string.Join('\n', matched));
    }

    [Fact]
    public async Task TheSignatureMatchesTheCapitalisedMessageOfNewerBackends()
    {
        var filters = (await Analysis.Value).LineFilters;

        Assert.True(LogQl.Keeps(filters, "[ERROR][1] whisker-backend/flows.go 88: Failed to stream flows. error=EOF"));
        Assert.True(LogQl.Keeps(filters, "[ERROR][1] whisker-backend/flows.go 67: FAILED TO STREAM FLOWS"));
    }

    [Fact]
    public async Task TheStreamSelectorReadsTheWhiskerBackendContainerInCalicoSystem()
    {
        var matchers = (await Analysis.Value).Matchers;

        Assert.Contains(new LogQlMatcher("namespace", "=", "calico-system"), matchers);
        Assert.Contains(new LogQlMatcher("container", "=", "whisker-backend"), matchers);
    }

    [Fact]
    public async Task TheAlertNeedsAtLeastTenMatchingLinesInElevenMinutesPerPod()
    {
        var analysis = await Analysis.Value;

        var comparison = Assert.Single(analysis.Comparisons);
        Assert.Equal(new LogQlComparison(">=", 10, Bool: false), comparison);
        Assert.Equal(["11m"], analysis.Ranges);
        var grouping = Assert.Single(analysis.Groupings);
        Assert.Equal("by", grouping.Mode);
        Assert.Contains("namespace", grouping.Labels);
        Assert.Contains("pod", grouping.Labels);
    }

    [Fact]
    public async Task TheWedgedLogAloneCrossesTheThresholdWithinTheWindow()
    {
        var filters = (await Analysis.Value).LineFilters;
        var times = FixtureLines("wedged.log")
            .Where(line => LogQl.Keeps(filters, line))
            .Select(line => DateTime.ParseExact(line[..23], "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture))
            .Order()
            .ToList();

        Assert.True(times.Count >= 10, $"only {times.Count} matching lines");
        Assert.True(times[^1] - times[0] <= TimeSpan.FromMinutes(11), $"lines span {times[^1] - times[0]}");
    }
}
