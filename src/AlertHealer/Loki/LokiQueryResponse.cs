using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlertHealer.Loki;

// GET /loki/api/v1/query: {"status":"success","data":{"resultType":"vector","result":[...]}}
// or {"status":"error","errorType":"bad_data","error":"..."}.
public sealed record LokiQueryResponse(string Status, LokiQueryData? Data, string? ErrorType = null, string? Error = null);

// Result's shape depends on ResultType, so it is read once that is known.
public sealed record LokiQueryData(string ResultType, JsonElement Result);

// One series of an instant vector: {"metric":{...},"value":[1732800000.123,"14"]}.
public sealed record LokiVectorSample(Dictionary<string, string> Metric, LokiSample Value);

// Prometheus-style sample [<unix seconds>, "<value>"]; a scalar result is one of these.
[JsonConverter(typeof(LokiSampleConverter))]
public sealed record LokiSample(DateTimeOffset Time, double Value);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LokiQueryResponse))]
[JsonSerializable(typeof(List<LokiVectorSample>))]
[JsonSerializable(typeof(LokiSample))]
public sealed partial class LokiJsonContext : JsonSerializerContext;
