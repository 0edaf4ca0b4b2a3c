using System.Globalization;
using System.Text.Json.Nodes;

namespace AlertHealer.Configuration;

// Every value type a setting can have, in one table: how the configuration binder parses it
// from a string (invariant culture), how a refusal names its form, and the JSON schema that
// admits it. A type that is not here (nor text, nor an enum) is a section, not a value.
public static class SettingTypes
{
    private const string WholeNumber = "^-?[0-9]+$";
    private const string Number = @"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$";
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed record Leaf(Func<string, bool> Parses, string Form, string[] JsonTypes, string? Pattern = null);

    private static readonly Dictionary<Type, Leaf> Leaves = new()
    {
        [typeof(bool)] = new(v => bool.TryParse(v, out _), "true or false", ["boolean", "string"], "^([Tt]rue|[Ff]alse)$"),
        [typeof(TimeSpan)] = new(v => TimeSpan.TryParse(v, C, out _), "a duration written [d.]hh:mm:ss, e.g. 00:10:00 for ten minutes",
            ["string"], @"^-?([0-9]+\.)?[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?$"),
        [typeof(Uri)] = new(v => Uri.TryCreate(v, UriKind.RelativeOrAbsolute, out _), "a URL", ["string"]),
        [typeof(int)] = Whole(v => int.TryParse(v, NumberStyles.Integer, C, out _)),
        [typeof(long)] = Whole(v => long.TryParse(v, NumberStyles.Integer, C, out _)),
        [typeof(short)] = Whole(v => short.TryParse(v, NumberStyles.Integer, C, out _)),
        [typeof(uint)] = Whole(v => uint.TryParse(v, NumberStyles.Integer, C, out _)),
        [typeof(ulong)] = Whole(v => ulong.TryParse(v, NumberStyles.Integer, C, out _)),
        [typeof(ushort)] = Whole(v => ushort.TryParse(v, NumberStyles.Integer, C, out _)),
        [typeof(byte)] = Whole(v => byte.TryParse(v, NumberStyles.Integer, C, out _)),
        [typeof(sbyte)] = Whole(v => sbyte.TryParse(v, NumberStyles.Integer, C, out _)),
        [typeof(double)] = Real(v => double.TryParse(v, NumberStyles.Float | NumberStyles.AllowThousands, C, out _)),
        [typeof(float)] = Real(v => float.TryParse(v, NumberStyles.Float | NumberStyles.AllowThousands, C, out _)),
        [typeof(decimal)] = Real(v => decimal.TryParse(v, NumberStyles.Number, C, out _)),
        [typeof(DateTimeOffset)] = new(v => DateTimeOffset.TryParse(v, C, DateTimeStyles.None, out _), "a DateTimeOffset", ["string"]),
        [typeof(DateTime)] = new(v => DateTime.TryParse(v, C, DateTimeStyles.None, out _), "a DateTime", ["string"]),
        [typeof(Guid)] = new(v => Guid.TryParse(v, out _), "a Guid", ["string"]),
        [typeof(char)] = new(v => v.Length == 1, "a single character", ["string"]),
    };

    // A value, not a section (nullable already unwrapped).
    public static bool IsValue(Type type) => type == typeof(string) || type.IsEnum || Leaves.ContainsKey(type);

    // As the binder converts a string; text and enums are the caller's.
    public static bool Parses(Type type, string value) => !Leaves.TryGetValue(type, out var leaf) || leaf.Parses(value);

    public static string Form(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "text";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type))}";
        return Leaves.TryGetValue(type, out var leaf) ? leaf.Form : $"a {type.Name}";
    }

    // Values may be written as JSON numbers and booleans or as the strings the binder converts.
    public static JsonObject Schema(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum) return new JsonObject { ["enum"] = new JsonArray(Enum.GetNames(target).Select(n => (JsonNode)n).ToArray()) };
        var leaf = Leaves.GetValueOrDefault(target);
        var types = leaf?.JsonTypes ?? ["string"];
        var schema = new JsonObject { ["type"] = types.Length == 1 ? types[0] : new JsonArray(types.Select(t => (JsonNode)t).ToArray()) };
        if (leaf?.Pattern is { } pattern) schema["pattern"] = pattern;
        return schema;
    }

    private static Leaf Whole(Func<string, bool> parses) => new(parses, "a whole number", ["integer", "string"], WholeNumber);

    private static Leaf Real(Func<string, bool> parses) => new(parses, "a number, e.g. 10 or 2.5", ["number", "string"], Number);
}
