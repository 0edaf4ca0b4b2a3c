using System.Text.RegularExpressions;
using AlertHealer.Configuration;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace AlertHealer.Tests.Configuration;

// The settings as the options types give them (the catalog behind the strict check, check-config
// and the JSON Schema), against the README's settings table and the strict check itself.
public sealed partial class SettingsDocumentationTests
{
    // Every value setting outside the policies (documented in their own section), by its current name.
    private static List<string> Settings()
    {
        var renamed = RenamedSettings.Sections.Select(s => s.Old).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var found = new List<string>();
        void Walk(SettingNode node, string path)
        {
            foreach (var (name, child) in node.Children)
            {
                var key = $"{path}:{name}";
                if (renamed.Contains(key) || key.Equals("AlertHealer:Policies", StringComparison.OrdinalIgnoreCase)) continue;
                if (child.Leaf is not null) found.Add(key);
                else Walk(child, key);
            }
        }
        Walk(SettingsCatalog.Tree, SettingsCatalog.Root);
        return found;
    }

    [Fact]
    public void TheReadmeTableNamesEverySettingAndNoOther()
    {
        var documented = ReadmeTableKeys();
        var settings = Settings().Where(k => !TestOnly.Contains(k)).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.True(settings.Count > 40, $"only {settings.Count} settings found");
        Assert.Empty(settings.Except(documented, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal));
        Assert.Empty(documented.Except(settings, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal));
    }

    // Settings that exist for the tests only, and so are not in the operators' table.
    private static readonly HashSet<string> TestOnly = new(StringComparer.OrdinalIgnoreCase) { "AlertHealer:Inbox:WorkerEnabled" };

    [Fact]
    public void AMisspeltKeyOfEverySettingIsRefusedNamingIt()
    {
        var wrong = new List<string>();
        foreach (var key in Settings())
        {
            var misspelt = key[..^1];
            var problems = SettingsCheck.Problems(new ConfigurationBuilder()
                .AddInMemoryCollection([KeyValuePair.Create(misspelt, (string?)"1")]).Build());
            var expected = $"{misspelt} is not a setting; did you mean {key}?";
            if (!problems.Contains(expected, StringComparer.OrdinalIgnoreCase)) wrong.Add($"{misspelt}: {string.Join(" | ", problems)}");
        }
        Assert.Empty(wrong);
    }

    // The first column of the README's settings table: `A:B:C[File]` / `D` / `E` is C, CFile, D and E under A:B.
    private static HashSet<string> ReadmeTableKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in RepoFiles.Read("README.md").Split('\n').Where(l => l.StartsWith("| `AlertHealer:", StringComparison.Ordinal)))
        {
            var names = Code().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value).ToList();
            if (names[0].Contains('<', StringComparison.Ordinal)) continue; // AlertHealer:Policies:<name>:…, documented below it
            var parent = names[0][..names[0].LastIndexOf(':')];
            foreach (var name in names.Select((n, i) => i == 0 ? n[(parent.Length + 1)..] : n))
            {
                if (OptionalSuffix().Match(name) is { Success: true } m)
                {
                    keys.Add($"{parent}:{m.Groups[1].Value}");
                    keys.Add($"{parent}:{m.Groups[1].Value}{m.Groups[2].Value}");
                }
                else keys.Add($"{parent}:{name}");
            }
        }
        return keys;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"^(\w+)\[(\w+)\]$")]
    private static partial Regex OptionalSuffix();
}
