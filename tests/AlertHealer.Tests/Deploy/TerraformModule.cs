using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlertHealer.Tests.Detection;
using AlertHealer.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Deploy;

/// <summary>
/// deploy/terraform/*.tf as HashiCorp's HCL parser reads them (tests/hcl/parse.mjs runs
/// @cdktf/hcl2json with node), and both that module and the kustomize base in deploy/ brought
/// into one canonical shape so that they can be compared.
/// </summary>
internal static partial class TerraformModule
{
    private static readonly Lazy<Task<IReadOnlyDictionary<string, JsonObject>>> LazyFiles = new(() => ParseAsync(Files));

    public static string Folder => RepoFiles.PathOf("deploy", "terraform");

    public static IReadOnlyList<string> Files =>
        Directory.EnumerateFiles(Folder, "*.tf").Order(StringComparer.Ordinal).ToList();

    /// <summary>Parses .tf files; a file that does not parse maps to <c>{"error": "..."}</c>.</summary>
    public static async Task<IReadOnlyDictionary<string, JsonObject>> ParseAsync(IReadOnlyList<string> paths)
    {
        var node = Tool.Node();
        if (!Directory.Exists(Tool.InRepo("tests", "hcl", "node_modules", "@cdktf", "hcl2json")))
        {
            Assert.Fail("the npm package @cdktf/hcl2json is not installed: run `npm ci` in tests/hcl "
                + "(needs the Debian package `npm`; tests/run.sh runs it).");
        }

        var result = await Tool.RunAsync(node, ["tests/hcl/parse.mjs", .. paths]);
        // Exit code 1 only says some file did not parse; the JSON tells which.
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        var parsed = JsonNode.Parse(result.StdOut)!.AsObject();
        return paths.ToDictionary(p => p, p => parsed[p]!.AsObject());
    }

    public static Task<IReadOnlyDictionary<string, JsonObject>> ParsedAsync() => LazyFiles.Value;

    /// <summary>Every top-level block of one kind (resource, variable, ...) across the files.</summary>
    public static async Task<JsonObject> SectionAsync(string kind)
    {
        var merged = new JsonObject();
        foreach (var file in (await ParsedAsync()).Values)
        {
            if (file[kind] is JsonObject section)
            {
                foreach (var (key, value) in section) merged[key] = value!.DeepClone();
            }
        }
        return merged;
    }

    public static async Task<JsonObject> ResourcesAsync(string type) =>
        (await SectionAsync("resource"))[type]?.AsObject() ?? new JsonObject();

    public static async Task<JsonObject> ResourceAsync(string type, string name)
    {
        var resources = await ResourcesAsync(type);
        Assert.True(resources.ContainsKey(name), $"deploy/terraform has no {type}.{name}");
        return Single(resources[name]!);
    }

    public static async Task<JsonObject> LocalsAsync()
    {
        var locals = new JsonObject();
        foreach (var file in (await ParsedAsync()).Values)
        {
            foreach (var block in file["locals"]?.AsArray() ?? [])
            {
                foreach (var (key, value) in block!.AsObject()) locals[key] = value!.DeepClone();
            }
        }
        return locals;
    }

    /// <summary>A nested block that occurs once: hcl2json writes every block as a list.</summary>
    public static JsonObject Block(JsonObject parent, params string[] path)
    {
        var current = parent;
        foreach (var key in path)
        {
            Assert.True(current.ContainsKey(key), $"no `{key}` block in {current.ToJsonString()[..Math.Min(200, current.ToJsonString().Length)]}");
            current = Single(current[key]!);
        }
        return current;
    }

    public static IReadOnlyList<JsonObject> Blocks(JsonObject parent, string key) =>
        parent[key] is JsonArray list ? list.Select(b => b!.AsObject()).ToList() : [];

    private static JsonObject Single(JsonNode node) =>
        node is JsonArray list ? Assert.Single(list)!.AsObject() : node.AsObject();

    /// <summary>
    /// Replaces the references the tests can know statically: <c>${var.x}</c> by the variable's
    /// default and <c>${local.x}</c> by a literal local, recursively; anything else stays text.
    /// </summary>
    public static JsonNode? Resolve(JsonNode? node, JsonObject variables, JsonObject locals) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Resolve(kv.Value, variables, locals)))),
        JsonArray a => new JsonArray(a.Select(n => Resolve(n, variables, locals)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => ResolveString(s, variables, locals),
        _ => node?.DeepClone(),
    };

    private static JsonNode? ResolveString(string text, JsonObject variables, JsonObject locals)
    {
        // The whole string is one reference: its value, of whatever type.
        var whole = Reference().Match(text);
        if (whole.Success && whole.Length == text.Length && Lookup(whole, variables, locals) is { } value)
        {
            return Resolve(value, variables, locals);
        }
        // References inside a template: substituted as text when they resolve to a scalar.
        var replaced = Reference().Replace(text, m =>
            Lookup(m, variables, locals) is JsonValue scalar && Resolve(scalar, variables, locals) is JsonValue resolved
                ? Scalar(resolved)
                : m.Value);
        return JsonValue.Create(replaced);
    }

    private static JsonNode? Lookup(Match m, JsonObject variables, JsonObject locals) =>
        m.Groups["kind"].Value == "var"
            ? variables[m.Groups["name"].Value] is JsonArray decl && decl[0] is JsonObject v ? v["default"] : null
            : locals[m.Groups["name"].Value];

    [GeneratedRegex(@"\$\{(?<kind>var|local)\.(?<name>[a-z0-9_]+)\}")]
    private static partial Regex Reference();

    /// <summary>
    /// The shape both sides are compared in: keys camelCase (Terraform's api_groups is
    /// Kubernetes' apiGroups), a list holding exactly one object is that object (hcl2json writes
    /// every block as a list), every scalar as invariant text (the provider takes "1654" and 1654
    /// alike), keys sorted.
    /// </summary>
    public static JsonNode Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(kv => Camel(kv.Key), StringComparer.Ordinal)
            .Select(kv => KeyValuePair.Create(Camel(kv.Key), (JsonNode?)Canonical(kv.Value)))),
        JsonArray { Count: 1 } a when a[0] is JsonObject only => Canonical(only),
        JsonArray a => new JsonArray(a.Select(n => (JsonNode?)Canonical(n)).ToArray()),
        JsonValue v => JsonValue.Create(Scalar(v)),
        null => JsonValue.Create("null"),
        _ => throw new InvalidOperationException(node.ToJsonString()),
    };

    /// <summary>The same canonical shape for a node of deploy/*.yaml.</summary>
    public static JsonNode Canonical(YamlNode node) => Canonical(ToJson(node));

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException(node.ToString()),
    };

    private static string Scalar(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.Number => value.GetValue<decimal>().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.ToJsonString(),
    };

    // Only Terraform's snake_case attribute names have underscores; Kubernetes map keys
    // (labels, resources) have none.
    private static string Camel(string key) =>
        key.Contains('_', StringComparison.Ordinal)
            ? string.Concat(key.Split('_').Select((part, i) => i == 0 || part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]))
            : key;
}

/// <summary>The documents of deploy/*.yaml as YamlDotNet reads them, found by kind and name.</summary>
internal static class DeployYaml
{
    public static YamlMappingNode Object(string file, string kind, string? ns = null)
    {
        using var reader = new StreamReader(Path.Combine(DeployManifests.Folder, file));
        var stream = new YamlStream();
        stream.Load(reader);
        return Assert.Single(stream.Documents.Select(d => (YamlMappingNode)d.RootNode), d =>
            Yaml.Scalar(d, "kind") == kind
            && (ns is null || Yaml.Scalar(Yaml.Mapping(d, "metadata"), "namespace") == ns));
    }

    public static YamlNode At(YamlNode node, params object[] path)
    {
        foreach (var step in path)
        {
            node = step switch
            {
                string key => Yaml.Child((YamlMappingNode)node, key) ?? throw new KeyNotFoundException(key),
                int index => ((YamlSequenceNode)node).Children[index],
                _ => throw new ArgumentException(step.ToString()),
            };
        }
        return node;
    }
}
