using System.Globalization;
using System.Text.Json;
using AlertHealer.Metrics;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace AlertHealer.Loki;

// Re-reads a policy's log signal at "now". Every Loki fault (timeout, 5xx, refused, a query
// Loki rejects, an answer that is not a number) becomes Unavailable with the reason; what to
// do then is the policy's FailOpen.
public sealed class LokiSignalCheck(ILokiApi loki, HealerMetrics metrics, TimeProvider time, ILogger<LokiSignalCheck> logger) : ISignalCheck
{
    public async Task<SignalReading> ReadAsync(SignalOptions signal, string ns, string pod, CancellationToken ct)
    {
        if (!SignalQuery.IsLabelSafe(ns) || !SignalQuery.IsLabelSafe(pod))
            return new SignalReading(SignalState.Unavailable, null, $"'{ns}/{pod}' is not a Kubernetes namespace/pod name; Loki was not asked");

        var query = SignalQuery.Render(signal.Query, ns, pod);
        var started = time.GetTimestamp();
        var reading = await QueryAsync(query, signal.Threshold, ct);
        var failed = reading.State == SignalState.Unavailable;
        metrics.DependencyCall("loki", "query", time.GetElapsedTime(started), failed);
        if (failed) logger.LogWarning("Loki signal for {Namespace}/{Pod} unavailable: {Detail}", ns, pod, reading.Detail);
        return reading;
    }

    private async Task<SignalReading> QueryAsync(string query, double threshold, CancellationToken ct)
    {
        try
        {
            var response = await loki.QueryAsync(query, Rfc3339(time.GetUtcNow()), null, ct);
            return Interpret(response, threshold);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (ApiException ex) when ((int)ex.StatusCode >= 400)
        {
            return Unavailable($"Loki answered {(int)ex.StatusCode}: {ErrorText(ex.Content)}");
        }
        catch (Exception ex)
        {
            return Unavailable($"Loki could not be read: {Describe(ex)}");
        }
    }

    private static SignalReading Interpret(LokiQueryResponse response, double threshold)
    {
        if (response.Status != "success" || response.Data is not { } data)
            return Unavailable($"Loki answered status '{response.Status}': {response.ErrorType}: {response.Error}");

        double value;
        string shape;
        switch (data.ResultType)
        {
            case "vector":
                var series = data.Result.Deserialize(LokiJsonContext.Default.ListLokiVectorSample) ?? [];
                // No series means no matching lines in the window, i.e. a count of 0.
                value = series.Sum(s => s.Value.Value);
                shape = series.Count == 0 ? "empty vector" : series.Count == 1 ? "vector" : $"vector of {series.Count} series, summed";
                break;
            case "scalar":
                value = (data.Result.Deserialize(LokiJsonContext.Default.LokiSample) ?? throw new JsonException("empty scalar")).Value;
                shape = "scalar";
                break;
            default:
                return Unavailable($"the query returned a {data.ResultType}; the signal needs an instant metric query (a vector or a scalar)");
        }
        if (double.IsNaN(value)) return Unavailable($"the query returned NaN ({shape})");

        var present = value >= threshold;
        var number = LokiSampleConverter.FormatValue(value);
        return new SignalReading(present ? SignalState.Present : SignalState.Cleared, value,
            $"{number} {(present ? ">=" : "<")} threshold {threshold.ToString(CultureInfo.InvariantCulture)} ({shape})");
    }

    private static SignalReading Unavailable(string detail) => new(SignalState.Unavailable, null, detail);

    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    // Loki's own error text when the body is its error JSON, else the start of the body.
    private static string ErrorText(string? content)
    {
        if (string.IsNullOrWhiteSpace(content)) return "(no body)";
        try
        {
            if (JsonSerializer.Deserialize(content, LokiJsonContext.Default.LokiQueryResponse) is { Error: { } error } r)
                return $"{r.ErrorType}: {error}";
        }
        catch (JsonException)
        {
            // Not Loki's JSON (a proxy's page, say): show it as it is.
        }
        return content.Length <= 200 ? content.Trim() : content[..200].Trim() + "...";
    }

    private static string Describe(Exception ex)
    {
        // Refit wraps transport and deserialization failures; the cause says more.
        var inner = ex is ApiRequestException or ApiException && ex.InnerException is { } cause ? cause : ex;
        return inner switch
        {
            TimeoutRejectedException t => $"timed out after {t.Timeout}",
            BrokenCircuitException => "too many recent failures, the circuit is open",
            JsonException j => $"the answer is not Loki's query JSON ({j.Message})",
            _ => inner.Message,
        };
    }
}
