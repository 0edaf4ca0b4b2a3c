using Microsoft.Extensions.Options;

namespace AlertHealer.Configuration;

// The strict reading of the settings, shared by a start, `check-config` and anything that
// re-reads settings later (a reloaded policy file): every key under AlertHealer: must be a
// setting, and every value must convert to its setting's type. The configuration binder
// ignores an unknown key and silently drops a dictionary entry (a policy) whose value does not
// convert, so both are checked here, on the raw keys, before anything is bound.
public static class SettingsCheck
{
    // Unknown keys (with the nearest valid one) and values that do not convert (with the
    // expected form); empty when the settings can be bound as written.
    public static IReadOnlyList<string> Problems(IConfiguration root)
    {
        var problems = new List<string>();
        foreach (var section in root.GetChildren())
        {
            if (string.Equals(section.Key, SettingsCatalog.Root, StringComparison.OrdinalIgnoreCase))
                Walk(section, SettingsCatalog.Tree, problems);
            else if (section.Key.Length > 3 && Distance(section.Key, SettingsCatalog.Root) is > 0 and <= 2)
                problems.Add($"{section.Path} is read by nothing; did you mean {SettingsCatalog.Root}?");
        }
        return problems;
    }

    // Every validator registered for T (ValidateOnStart's and IValidateOptions classes alike),
    // run on one instance: options bound from a reloaded file get the checks a start gives them.
    public static IReadOnlyList<string> Validate<T>(IServiceProvider services, T options) where T : class =>
        Validate(services.GetServices<IValidateOptions<T>>(), options);

    public static IReadOnlyList<string> Validate<T>(IEnumerable<IValidateOptions<T>> validators, T options) where T : class =>
        validators
            .Select(v => v.Validate(Options.DefaultName, options))
            .Where(r => r.Failed)
            .SelectMany(r => r.Failures ?? [r.FailureMessage ?? typeof(T).Name + " is not valid"])
            .ToList();

    private static void Walk(IConfigurationSection section, SettingNode node, List<string> problems)
    {
        if (node.Leaf is { } type)
        {
            if (ValueProblem(type, section.Value) is { } problem) problems.Add($"{section.Path}: {problem}");
            foreach (var child in section.GetChildren()) problems.Add($"{child.Path} is not a setting: {section.Path} is a single value");
            return;
        }
        if (!string.IsNullOrEmpty(section.Value))
            problems.Add($"{section.Path} is a section of settings, not a value");
        foreach (var child in section.GetChildren())
        {
            if (node.Child(child.Key) is { } known) Walk(child, known, problems);
            else problems.Add($"{child.Path} is not a setting{Nearest(child, node)}");
        }
    }

    // What the binder would fail on (or silently drop), said as the form it expects.
    private static string? ValueProblem(Type type, string? value)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        var target = nullable ?? type;
        if (value is null || target == typeof(string)) return null;
        if (value.Length == 0) return nullable is null && target != typeof(string) ? $"is empty; expected {SettingTypes.Form(target)}" : null;
        var shown = value.Length > 60 ? value[..60] + "…" : value;
        try
        {
            // The binder takes any number for an enum; only a name means something to a reader.
            if (target.IsEnum)
                return Enum.TryParse(target, value, ignoreCase: true, out var named) && Enum.IsDefined(target, named!)
                    && !value.Trim().All(c => char.IsDigit(c) || c == '-') ? null : $"'{shown}' is not {SettingTypes.Form(target)}";
            return SettingTypes.Parses(target, value) ? null : $"'{shown}' is not {SettingTypes.Form(target)}";
        }
        catch (Exception)
        {
            return $"'{shown}' is not {SettingTypes.Form(target)}";
        }
    }

    // The closest valid key beside a wrong one, or every valid one when none is close.
    private static string Nearest(IConfigurationSection wrong, SettingNode parent)
    {
        var names = parent.Children.Keys.ToList();
        if (names.Count == 0) return "";
        var prefix = wrong.Path[..^wrong.Key.Length];
        var (best, distance) = names.Select(n => (n, Distance(wrong.Key, n))).MinBy(x => x.Item2);
        return distance <= Math.Max(2, best.Length / 3) && distance > 0
            ? $"; did you mean {prefix}{best}?"
            : $"; the settings here are {string.Join(", ", names.Order(StringComparer.Ordinal).Select(n => prefix + n))}";
    }

    // Levenshtein distance, case-insensitive as configuration keys are.
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
