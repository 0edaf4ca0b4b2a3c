using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertHealer.Loki;

// [1732800000.123, "14"]: a number and a string in an array, which no record maps to.
public sealed class LokiSampleConverter : JsonConverter<LokiSample>
{
    public override LokiSample Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("a Loki sample is an array [<time>, \"<value>\"]");
        reader.Read();
        var seconds = reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : throw new JsonException("a Loki sample's time is a number");
        reader.Read();
        var value = reader.TokenType switch
        {
            JsonTokenType.String => ParseValue(reader.GetString()!),
            JsonTokenType.Number => reader.GetDouble(),
            _ => throw new JsonException("a Loki sample's value is a string"),
        };
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("a Loki sample has exactly two elements");
        return new LokiSample(DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)), value);
    }

    public override void Write(Utf8JsonWriter writer, LokiSample sample, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(Math.Round((sample.Time - DateTimeOffset.UnixEpoch).TotalSeconds, 3));
        // Raw: the default encoder would write "+Inf" as "\u002BInf"; the text is only digits, signs and letters.
        writer.WriteRawValue($"\"{FormatValue(sample.Value)}\"", skipInputValidation: true);
        writer.WriteEndArray();
    }

    // Go's strconv spelling: "NaN", "+Inf", "-Inf", else a plain float.
    public static double ParseValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new JsonException($"'{text}' is not a number"),
    };

    public static string FormatValue(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
