using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlertHealer.Configuration;

// The JSON Schema of appsettings files (and ConfigMaps holding one), for editor completion,
// written from the same catalog the strict check uses. Regenerate with
// `dotnet run --project src/AlertHealer -- settings-schema "$PWD/deploy/schema/alerthealer-settings.schema.json"`.
public static class SettingsSchema
{
    public const string Command = "settings-schema";
    public const string RepositoryPath = "deploy/schema/alerthealer-settings.schema.json";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var json = Json();
        if (args is [_, var path]) await File.WriteAllTextAsync(path, json);
        else await output.WriteAsync(json);
        return 0;
    }

    public static string Json()
    {
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "AlertHealer settings (appsettings.json)",
            ["description"] = $"Generated from AlertHealer's options types by `AlertHealer {Command}`; keys under AlertHealer are checked strictly at start and by `AlertHealer {CheckConfig.Command}`.",
            ["type"] = "object",
            ["properties"] = new JsonObject { [SettingsCatalog.Root] = Node(SettingsCatalog.Tree) },
        };
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ReplaceLineEndings("\n") + "\n";
    }

    private static JsonObject Node(SettingNode node)
    {
        if (node.Leaf is { } leaf) return Leaf(leaf);
        var result = new JsonObject { ["type"] = "object" };
        if (node.AnyKey is { } any)
        {
            result["additionalProperties"] = Node(any);
            return result;
        }
        var properties = new JsonObject();
        foreach (var (name, child) in node.Children.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var property = Node(child);
            if (RenamedSettings.Sections.FirstOrDefault(r => r.Old.Split(':')[^1] == name && child.Name == r.Current.Split(':')[^1]) is { Old: not null } renamed)
            {
                property["deprecated"] = true;
                property["description"] = $"The old name of {renamed.Current}; still read, with a warning.";
            }
            properties[name] = property;
        }
        result["properties"] = properties;
        result["additionalProperties"] = false;
        return result;
    }

    // Values may be written as JSON numbers and booleans or as the strings the binder converts.
    private static JsonObject Leaf(Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type) is not null;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var schema = target switch
        {
            _ when target.IsEnum => new JsonObject { ["enum"] = new JsonArray(Enum.GetNames(target).Select(n => (JsonNode)n).ToArray()) },
            _ when target == typeof(bool) => Typed(["boolean", "string"], "^([Tt]rue|[Ff]alse)$"),
            _ when target == typeof(TimeSpan) => Typed(["string"], @"^-?([0-9]+\.)?[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?$"),
            _ when target == typeof(int) || target == typeof(long) => Typed(["integer", "string"], "^-?[0-9]+$"),
            _ when target == typeof(double) || target == typeof(float) || target == typeof(decimal) => Typed(["number", "string"], @"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"),
            _ => Typed(["string"], null),
        };
        if (target != typeof(string)) schema["description"] = $"{SettingsCheck.Form(target)}{(nullable ? "; empty for none" : "")}";
        return schema;
    }

    private static JsonObject Typed(string[] types, string? pattern)
    {
        var schema = new JsonObject { ["type"] = types.Length == 1 ? types[0] : new JsonArray(types.Select(t => (JsonNode)t).ToArray()) };
        if (pattern is not null) schema["pattern"] = pattern;
        return schema;
    }
}
