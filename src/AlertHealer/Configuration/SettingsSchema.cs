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

    private static JsonObject Leaf(Type type)
    {
        var schema = SettingTypes.Schema(type);
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target != typeof(string)) schema["description"] = $"{SettingTypes.Form(target)}{(target != type ? "; empty for none" : "")}";
        return schema;
    }
}
