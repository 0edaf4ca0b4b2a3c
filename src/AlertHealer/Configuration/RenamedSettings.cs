namespace AlertHealer.Configuration;

// Sections that were renamed: the old name is still read, with one warning naming the new key,
// so deployments written before the rename keep starting.
public static class RenamedSettings
{
    // Old section → current section. The store holds the inbox, policy state and claims too, so
    // "Audit" undersold it.
    public static IReadOnlyList<(string Old, string Current)> Sections { get; } =
    [
        ("AlertHealer:Audit", "AlertHealer:Store"),
    ];

    // Binds the current section, then the old one over it, key by key: while an old key is set
    // it wins, so a deployment that set it keeps its value even where the image sets the new
    // key (the container image sets AlertHealer:Store:ConnectionString).
    // The binding is written at each call site (not generically here), so that the build-time
    // configuration binder can generate it.
    public static IEnumerable<IConfigurationSection> OldSections(IConfiguration configuration, string section) =>
        Sections.Where(r => string.Equals(r.Current, section, StringComparison.OrdinalIgnoreCase)).Select(r => configuration.GetSection(r.Old));

    // One line naming each old key in use, its new name and whether it overrides a new key set
    // beside it, or null. Values are never repeated: a connection string may hold a password.
    public static string? Warning(IConfiguration root)
    {
        var used = (from r in Sections
                    from key in Leaves(root.GetSection(r.Old))
                    let current = r.Current + key[r.Old.Length..]
                    select root[current] is { } value && value != root[key]
                        ? $"{key} is read as {current} and overrides the {current} also set"
                        : $"{key} is read as {current}").ToList();
        if (used.Count == 0) return null;
        return $"{string.Join(", ", Sections.Select(r => $"{r.Old} is renamed {r.Current}"))}: {string.Join(", ", used)}; " +
            "rename these keys (in the environment, __ for :)";
    }

    internal static IEnumerable<string> Leaves(IConfigurationSection section) =>
        section.AsEnumerable().Where(kv => kv.Value is not null && kv.Key.Length > section.Path.Length).Select(kv => kv.Key).Order(StringComparer.OrdinalIgnoreCase);
}
