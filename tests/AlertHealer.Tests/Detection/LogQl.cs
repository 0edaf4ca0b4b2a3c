using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlertHealer.Tests.Detection;

internal sealed record LogQlError(int From, int To, string Near, string? Message);

internal sealed record LogQlMatcher(string Label, string Op, string? Value);

internal sealed record LogQlLineFilter(string Op, string? Value, IReadOnlyList<string?> Or, string? Function);

internal sealed record LogQlComparison(string Op, double Value, bool Bool);

internal sealed record LogQlGrouping(string Mode, IReadOnlyList<string> Labels);

/// <summary>What Grafana's LogQL grammar (tests/logql/parse.mjs) found in one expression.</summary>
internal sealed record LogQlAnalysis(
    string Source,
    string Expr,
    bool Parsed,
    IReadOnlyList<LogQlError> Errors,
    IReadOnlyList<LogQlMatcher> Matchers,
    IReadOnlyList<LogQlLineFilter> LineFilters,
    IReadOnlyList<string> Ranges,
    IReadOnlyList<LogQlComparison> Comparisons,
    IReadOnlyList<LogQlGrouping> Groupings);

internal static class LogQl
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Parses every expression with Grafana's grammar, run by node from the repository root.</summary>
    public static async Task<IReadOnlyList<LogQlAnalysis>> AnalyseAsync(IReadOnlyList<string> exprs)
    {
        var node = Tool.Node();
        if (!Directory.Exists(Tool.InRepo("tests", "logql", "node_modules", "@grafana", "lezer-logql")))
        {
            Assert.Fail("the npm package @grafana/lezer-logql is not installed: run `npm ci` in tests/logql "
                + "(needs the Debian package `npm`; tests/run.sh runs it when npm is installed).");
        }

        var result = await Tool.RunAsync(node, ["tests/logql/parse.mjs"], stdin: JsonSerializer.Serialize(exprs, Json));
        // Exit code 1 only says some expression did not parse; the JSON tells which.
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        var analyses = JsonSerializer.Deserialize<List<LogQlAnalysis>>(result.StdOut, Json);
        Assert.NotNull(analyses);
        Assert.Equal(exprs.Count, analyses.Count);
        return analyses;
    }

    /// <summary>
    /// Whether a log line survives all of the line filters, applied in sequence as Loki
    /// applies them. .NET's regex stands in for RE2; the patterns used here mean the same in both.
    /// </summary>
    public static bool Keeps(IEnumerable<LogQlLineFilter> filters, string line) =>
        filters.All(filter => Keeps(filter, line));

    private static bool Keeps(LogQlLineFilter filter, string line)
    {
        if (filter.Function is not null)
        {
            throw new NotSupportedException($"line filter function {filter.Function}() is not emulated");
        }
        var values = new[] { filter.Value }.Concat(filter.Or)
            .Select(v => v ?? throw new InvalidOperationException("line filter without a valid string"))
            .ToList();
        return filter.Op switch
        {
            // `|= "a" or "b"` keeps lines holding either; `!= "a" or "b"` drops lines holding either.
            "|=" => values.Exists(v => line.Contains(v, StringComparison.Ordinal)),
            "!=" => !values.Exists(v => line.Contains(v, StringComparison.Ordinal)),
            "|~" => values.Exists(v => Matches(v, line)),
            "!~" => !values.Exists(v => Matches(v, line)),
            _ => throw new NotSupportedException($"line filter {filter.Op} is not emulated"),
        };
    }

    private static bool Matches(string pattern, string line) =>
        Regex.IsMatch(line, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
