using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Nodes;
using AlertHealer.Configuration;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace AlertHealer.Tests.Configuration;

// deploy/schema/alerthealer-settings.schema.json against what the configuration binder itself
// accepts: every key it binds is in the schema, and the schema holds no key it would ignore.
public sealed class SettingsSchemaTests
{
    private static readonly JsonNode Shipped = JsonNode.Parse(RepoFiles.Read(SettingsSchema.RepositoryPath))!;

    [Fact]
    public void TheShippedSchemaIsTheOneTheOptionsTypesGive()
    {
        Assert.Equal(SettingsSchema.Json(), RepoFiles.Read(SettingsSchema.RepositoryPath).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void EveryKeyTheBinderAcceptsIsInTheSchema()
    {
        var schema = Leaves(Shipped["properties"]!["AlertHealer"]!, "AlertHealer").Select(l => l.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var bound = OptionsTypes().SelectMany(t => Properties(t.Type, t.Section)).ToList();

        var missing = bound.Except(schema, StringComparer.OrdinalIgnoreCase).ToList();
        Assert.NotEmpty(bound);
        Assert.Empty(missing);
        Assert.Contains("AlertHealer:Policies:*:Signal:Threshold", schema);
        Assert.Contains("AlertHealer:Store:Retention", schema);
    }

    [Fact]
    public void NothingElseIsInTheSchema()
    {
        var types = OptionsTypes();
        var refused = new List<string>();
        foreach (var (path, samples) in Leaves(Shipped["properties"]!["AlertHealer"]!, "AlertHealer"))
        {
            var key = path.Replace("*", "example", StringComparison.Ordinal);
            // Accepted when an options type bound at a section above the key takes it with the
            // binder's own strict mode (an unknown key throws), and the value lands.
            var accepted = samples.Any(sample =>
            {
                var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = sample }).Build();
                return types.Any(t => Sections(t.Section).Any(section =>
                    key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase) && Binds(t.Type, config.GetSection(section))));
            });
            if (!accepted) refused.Add(key);
        }
        Assert.Empty(refused);
    }

    private static bool Binds(Type type, IConfigurationSection section)
    {
        var instance = Activator.CreateInstance(type)!;
        var before = System.Text.Json.JsonSerializer.Serialize(instance, type);
        try
        {
            section.Bind(instance, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        return System.Text.Json.JsonSerializer.Serialize(instance, type) != before;
    }

    // A section and its old names.
    private static IEnumerable<string> Sections(string section) =>
        RenamedSettings.Sections.Where(r => r.Current == section).Select(r => r.Old).Prepend(section);

    [Fact]
    public void TheCatalogListsEveryOptionsClassWithASection()
    {
        // The native build cannot scan its assembly for types, so the catalog names them; this scan keeps it complete.
        Assert.Equal(OptionsTypes().OrderBy(t => t.Type.FullName, StringComparer.Ordinal),
            SettingsCatalog.OptionsTypes.OrderBy(t => t.Type.FullName, StringComparer.Ordinal));
    }

    private static List<(Type Type, string Section)> OptionsTypes() => typeof(Program).Assembly.GetTypes()
        .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
        .Where(x => x.Field is { IsLiteral: true } && ((string)x.Field.GetRawConstantValue()!).Split(':')[0] == "AlertHealer")
        .Select(x => (x.Type, (string)x.Field!.GetRawConstantValue()!))
        .ToList();

    // The keys the binder would bind into type: settable properties, recursing into classes and
    // dictionaries (any key, written *).
    private static IEnumerable<string> Properties(Type type, string prefix)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            var path = $"{prefix}:{p.Name}";
            var leaf = t == typeof(string) || t.IsPrimitive || t.IsEnum || TypeDescriptor.GetConverter(t).CanConvertFrom(typeof(string));
            if (leaf)
            {
                if (p.SetMethod is { IsPublic: true }) yield return path;
                continue;
            }
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                var value = t.GetGenericArguments()[1];
                if (value == typeof(string)) yield return path + ":*";
                else foreach (var inner in Properties(value, path + ":*")) yield return inner;
                continue;
            }
            foreach (var inner in Properties(t, path)) yield return inner;
        }
    }

    // Every leaf of the schema with a value it allows.
    private static IEnumerable<(string Path, string[] Samples)> Leaves(JsonNode node, string path)
    {
        if (node["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties) foreach (var leaf in Leaves(child!, $"{path}:{name}")) yield return leaf;
            yield break;
        }
        if (node["additionalProperties"] is JsonObject any)
        {
            foreach (var leaf in Leaves(any, $"{path}:*")) yield return leaf;
            yield break;
        }
        yield return (path, Sample(node));
    }

    // Values the binder converts, one of which differs from any default.
    private static string[] Sample(JsonNode leaf)
    {
        if (leaf["enum"] is JsonArray values) return values.Select(v => v!.GetValue<string>()).ToArray();
        var types = leaf["type"] is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [leaf["type"]!.GetValue<string>()];
        var pattern = leaf["pattern"]?.GetValue<string>() ?? "";
        return types switch
        {
            _ when types.Contains("boolean") => ["true", "false"],
            _ when types.Contains("integer") => ["7", "9"],
            _ when types.Contains("number") => ["7.5"],
            _ when pattern.Contains(':', StringComparison.Ordinal) => ["00:00:07", "00:00:09"],
            _ => ["sample-7"],
        };
    }
}
