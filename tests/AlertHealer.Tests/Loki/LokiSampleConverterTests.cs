using System.Text.Json;
using AlertHealer.Loki;

namespace AlertHealer.Tests.Loki;

public sealed class LokiSampleConverterTests
{
    [Fact]
    public void AVectorAnswerIsRead()
    {
        const string body = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"calico-system","pod":"whisker-1"},"value":[1732800000.123,"14"]}],"stats":{}}}""";

        var response = JsonSerializer.Deserialize(body, LokiJsonContext.Default.LokiQueryResponse)!;
        var series = response.Data!.Result.Deserialize(LokiJsonContext.Default.ListLokiVectorSample)!;

        Assert.Equal("success", response.Status);
        Assert.Equal("vector", response.Data.ResultType);
        var sample = Assert.Single(series);
        Assert.Equal("whisker-1", sample.Metric["pod"]);
        Assert.Equal(14, sample.Value.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1732800000123), sample.Value.Time);
    }

    [Fact]
    public void AScalarAnswerIsOneSample()
    {
        var sample = JsonSerializer.Deserialize("""[1732800000,"2.5"]""", LokiJsonContext.Default.LokiSample)!;

        Assert.Equal(2.5, sample.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1732800000), sample.Time);
    }

    [Theory]
    [InlineData("NaN", double.NaN)]
    [InlineData("+Inf", double.PositiveInfinity)]
    [InlineData("-Inf", double.NegativeInfinity)]
    [InlineData("1e+06", 1_000_000)]
    [InlineData("0", 0)]
    public void GoSpellingsOfNumbersAreRead(string text, double expected)
    {
        Assert.Equal(expected, LokiSampleConverter.ParseValue(text));
    }

    [Theory]
    [InlineData("""[1732800000,"14",3]""")]
    [InlineData("""[1732800000]""")]
    [InlineData("""{"time":1,"value":"2"}""")]
    [InlineData("""["1732800000","14"]""")]
    [InlineData("""[1732800000,"fourteen"]""")]
    public void ASampleOfAnotherShapeIsAnError(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, LokiJsonContext.Default.LokiSample));
    }

    [Fact]
    public void ASampleIsWrittenInLokisShape()
    {
        var json = JsonSerializer.Serialize(new LokiSample(DateTimeOffset.FromUnixTimeMilliseconds(1732800000123), double.PositiveInfinity), LokiJsonContext.Default.LokiSample);

        Assert.Equal("""[1732800000.123,"+Inf"]""", json);
    }
}
