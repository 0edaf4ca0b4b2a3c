using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace AlertHealer.Configuration;

// The shape of every setting under AlertHealer:, read from the options types themselves: each
// options class contributes its properties, so a new property is a known setting without anyone
// editing a list (a test keeps the list of classes complete). Two types may share a section (their
// keys are the union); dictionaries take free keys; nested classes recurse.
//
// Native build: reading properties by reflection needs their metadata kept. The project roots its
// own assembly (TrimmerRootAssembly), so every options class and every class nested in one keeps
// its properties; the collections they use (List<>, Dictionary<,>) are instantiated by the
// configuration binder's generated code. The analyzer cannot see that, hence the suppressions
// below, each saying so.
public sealed class SettingNode
{
    private readonly Dictionary<string, SettingNode> _children = new(StringComparer.OrdinalIgnoreCase);

    private SettingNode(string name, Type? leaf) => (Name, Leaf) = (name, leaf);

    // The key as the options types spell it (a free key is "*").
    public string Name { get; }

    // The type a value converts to, or null for a section.
    public Type? Leaf { get; }

    // Dictionary values and list items: any key, each shaped like this.
    public SettingNode? AnyKey { get; private set; }

    // Keyed by the name written in settings; a renamed section appears under both names.
    public IReadOnlyDictionary<string, SettingNode> Children => _children;

    public SettingNode? Child(string key) => _children.TryGetValue(key, out var child) ? child : AnyKey;

    internal static SettingNode Section(string name) => new(name, null);

    internal SettingNode Add(string name, Type type)
    {
        if (_children.TryGetValue(name, out var existing)) return existing;
        var node = For(name, type, depth: 0);
        _children[name] = node;
        return node;
    }

    internal void Alias(string name, SettingNode node) => _children.TryAdd(name, node);

    internal static SettingNode For(string name, Type type, int depth)
    {
        if (depth > 16) throw new InvalidOperationException($"settings nest too deep at {name}");
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (SettingTypes.IsValue(underlying)) return new SettingNode(name, type);
        var node = new SettingNode(name, null);
        if (ItemType(underlying) is { } item)
        {
            node.AnyKey = For("*", item, depth + 1);
            return node;
        }
        node.AddProperties(underlying, depth);
        return node;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = Rooted)]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = Rooted)]
    internal void AddProperties(Type type, int depth)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.GetMethod is not { IsPublic: true }) continue;
            var settable = p.SetMethod is { IsPublic: true };
            // The binder fills a get-only collection or class in place; a get-only value is computed.
            if (!settable && SettingTypes.IsValue(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)) continue;
            if (!_children.ContainsKey(p.Name)) _children[p.Name] = For(p.Name, p.PropertyType, depth + 1);
        }
    }

    internal const string Rooted = "AlertHealer's own assembly is rooted (TrimmerRootAssembly): options classes keep their properties.";

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = Rooted)]
    private static Type? ItemType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        var interfaces = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        foreach (var i in interfaces.Where(i => i.IsGenericType))
        {
            var definition = i.GetGenericTypeDefinition();
            if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)) return i.GetGenericArguments()[1];
        }
        foreach (var i in interfaces.Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))
            return i.GetGenericArguments()[0];
        return typeof(IEnumerable).IsAssignableFrom(type) ? typeof(string) : null;
    }
}

public static class SettingsCatalog
{
    public const string Root = "AlertHealer";

    // The options types bound under AlertHealer, with their sections. Every class with a
    // `public const string Section` under AlertHealer belongs here (SettingsCatalogTests).
    public static IReadOnlyList<(Type Type, string Section)> OptionsTypes { get; } = new (Type Type, string Section)[]
    {
        (typeof(Alertmanager.AlertmanagerOptions), Alertmanager.AlertmanagerOptions.Section),
        (typeof(Audit.RetentionOptions), Audit.RetentionOptions.Section),
        (typeof(Auth.AuthOptions), Auth.AuthOptions.Section),
        (typeof(Heartbeat.HeartbeatOptions), Heartbeat.HeartbeatOptions.Section),
        (typeof(Inbox.InboxOptions), Inbox.InboxOptions.Section),
        (typeof(Kubernetes.KubernetesOptions), Kubernetes.KubernetesOptions.Section),
        (typeof(Loki.LokiOptions), Loki.LokiOptions.Section),
        (typeof(Policies.HealerOptions), Policies.HealerOptions.Section),
        (typeof(Preflight.PreflightOptions), Preflight.PreflightOptions.Section),
        (typeof(Remediation.BreakerOptions), Remediation.BreakerOptions.Section),
        (typeof(Security.LimitsOptions), Security.LimitsOptions.Section),
        (typeof(Storage.StorageOptions), Storage.StorageOptions.Section),
        (typeof(Tls.TlsOptions), Tls.TlsOptions.Section),
    }.OrderBy(x => x.Section, StringComparer.Ordinal).ThenBy(x => x.Type.FullName, StringComparer.Ordinal).ToList();

    public static SettingNode Tree { get; } = Build();

    private static SettingNode Build()
    {
        var root = SettingNode.Section(Root);
        foreach (var (type, section) in OptionsTypes)
        {
            var node = root;
            foreach (var part in section.Split(':').Skip(1))
                node = node.Add(part, typeof(object)) is { Leaf: null } child ? child : throw new InvalidOperationException($"{section} is both a value and a section");
            node.AddProperties(type, 1);
        }
        // A renamed section is still read under its old name.
        foreach (var (old, current) in RenamedSettings.Sections)
            if (Find(root, current) is { } node) Parent(root, old).Alias(old.Split(':')[^1], node);
        return root;
    }

    private static SettingNode? Find(SettingNode root, string path) =>
        path.Split(':').Skip(1).Aggregate((SettingNode?)root, (node, part) => node?.Child(part));

    private static SettingNode Parent(SettingNode root, string path) =>
        Find(root, string.Join(':', path.Split(':')[..^1])) ?? throw new InvalidOperationException($"no parent for {path}");
}
