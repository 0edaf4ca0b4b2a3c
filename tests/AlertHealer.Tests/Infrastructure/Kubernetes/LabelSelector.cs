using System.Text.RegularExpressions;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// A parsed label selector: equality (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>), existence (<c>a</c>, <c>!a</c>),
/// set-based (<c>a in (x,y)</c>, <c>a notin (x)</c>) and numeric (<c>a&gt;1</c>, <c>a&lt;1</c>); commas mean AND.
/// </summary>
internal sealed partial class LabelSelector
{
    private readonly IReadOnlyList<Func<IDictionary<string, string>, bool>> requirements;

    private LabelSelector(IReadOnlyList<Func<IDictionary<string, string>, bool>> requirements) => this.requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool Matches(IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        return requirements.All(r => r(labels));
    }

    /// <summary>Parses <paramref name="text"/>; on failure returns null and the API server's style of error message.</summary>
    public static LabelSelector? TryParse(string? text, out string error)
    {
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var parsed = new List<Func<IDictionary<string, string>, bool>>();
        foreach (var part in SplitTopLevel(text))
        {
            var requirement = ParseRequirement(part.Trim());
            if (requirement is null)
            {
                error = $"unable to parse requirement: found '{part.Trim()}', expected a valid label selector requirement";
                return null;
            }

            parsed.Add(requirement);
        }

        return new LabelSelector(parsed);
    }

    private static Func<IDictionary<string, string>, bool>? ParseRequirement(string part)
    {
        if (part.StartsWith('!'))
        {
            var key = part[1..].Trim();
            return IsKey(key) ? labels => !labels.ContainsKey(key) : null;
        }

        if (SetRequirement().Match(part) is { Success: true } set)
        {
            var key = set.Groups["key"].Value;
            var values = set.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            var notIn = set.Groups["op"].Value == "notin";
            return labels => labels.TryGetValue(key, out var v) ? values.Contains(v) != notIn : notIn;
        }

        if (ValueRequirement().Match(part) is { Success: true } value)
        {
            var key = value.Groups["key"].Value;
            var expected = value.Groups["value"].Value;
            return value.Groups["op"].Value switch
            {
                "!=" => labels => !labels.TryGetValue(key, out var v) || v != expected,
                ">" when long.TryParse(expected, out var n) => labels => labels.TryGetValue(key, out var v) && long.TryParse(v, out var m) && m > n,
                "<" when long.TryParse(expected, out var n) => labels => labels.TryGetValue(key, out var v) && long.TryParse(v, out var m) && m < n,
                ">" or "<" => null,
                _ => labels => labels.TryGetValue(key, out var v) && v == expected,
            };
        }

        return IsKey(part) ? labels => labels.ContainsKey(part) : null;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static bool IsKey(string key) => Key().IsMatch(key);

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$")]
    private static partial Regex Key();

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9][A-Za-z0-9._/-]*)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$")]
    private static partial Regex SetRequirement();

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9][A-Za-z0-9._/-]*)\s*(?<op>==|!=|=|>|<)\s*(?<value>[A-Za-z0-9._-]*)$")]
    private static partial Regex ValueRequirement();
}
