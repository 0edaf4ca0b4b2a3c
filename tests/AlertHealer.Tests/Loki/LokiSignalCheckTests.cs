using System.Net;
using AlertHealer.Loki;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Loki;

public sealed class LokiSignalCheckTests : IAsyncLifetime
{
    public const string Query = """sum(count_over_time({namespace="$namespace", pod="$pod", container="whisker-backend"} |~ "(?i)(failed to stream flows|code = Unavailable)" [11m]))""";
    public const string Pod = "whisker-5b8d6c7f9-x2kqp";

    private static readonly SignalOptions Signal = new() { Query = Query, Threshold = 10 };

    private FakeLoki _loki = null!;
    private ClientHost _host = null!;

    public async Task InitializeAsync()
    {
        _loki = await FakeLoki.StartAsync();
        _host = await ClientHost.StartAsync(new Dictionary<string, string?> { ["AlertHealer:Loki:BaseUrl"] = _loki.BaseUrl.ToString() });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _loki.DisposeAsync();
    }

    private Task<SignalReading> ReadAsync(string pod = Pod) => _host.Signal.ReadAsync(Signal, "calico-system", pod, _host.Token);

    [Fact]
    public async Task ACountAtOrAboveTheThresholdIsPresent()
    {
        _loki.AnswerVector(14);

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Present, reading.State);
        Assert.Equal(14, reading.Value);
        Assert.Equal("14 >= threshold 10 (vector)", reading.Detail);
    }

    [Fact]
    public async Task ACountExactlyAtTheThresholdIsPresent()
    {
        _loki.AnswerVector(10);

        Assert.Equal(SignalState.Present, (await ReadAsync()).State);
    }

    [Fact]
    public async Task ACountBelowTheThresholdIsCleared()
    {
        _loki.AnswerVector(3);

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Cleared, reading.State);
        Assert.Equal(3, reading.Value);
    }

    [Fact]
    public async Task AnEmptyVectorIsClearedWithZero()
    {
        _loki.AnswerEmptyVector();

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Cleared, reading.State);
        Assert.Equal(0, reading.Value);
        Assert.Contains("empty vector", reading.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScalarResultIsReadToo()
    {
        _loki.AnswerScalar(12.5);

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Present, reading.State);
        Assert.Equal(12.5, reading.Value);
    }

    [Fact]
    public async Task SeveralSeriesAreSummed()
    {
        _loki.AnswerVector(4, 7);

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Present, reading.State);
        Assert.Equal(11, reading.Value);
    }

    [Fact]
    public async Task TheQuerySentHasThePodFilledInAndTheClocksTime()
    {
        _loki.AnswerVector(14);

        await ReadAsync();

        var sent = Assert.Single(_loki.Queries);
        Assert.Equal("GET", sent.Method);
        Assert.Equal(
            """sum(count_over_time({namespace="calico-system", pod="whisker-5b8d6c7f9-x2kqp", container="whisker-backend"} |~ "(?i)(failed to stream flows|code = Unavailable)" [11m]))""",
            sent.Query["query"]);
        Assert.Equal("2026-11-28T13:00:00.0000000Z", sent.Query["time"]);
        Assert.False(sent.Query.ContainsKey("limit"));
        Assert.Null(sent.Header("X-Scope-OrgID"));
    }

    [Fact]
    public async Task APodNameThatIsNotAKubernetesNameIsNeverSent()
    {
        var reading = await ReadAsync("whisker\"} or vector(100) # ");

        Assert.Equal(SignalState.Unavailable, reading.State);
        Assert.Contains("not a Kubernetes namespace/pod name", reading.Detail, StringComparison.Ordinal);
        Assert.Empty(_loki.Requests);
    }

    [Fact]
    public async Task TwoServiceUnavailableAnswersAreRetriedAndThenPresent()
    {
        _loki.FailNext(2);
        _loki.AnswerVector(12);

        var reading = await _host.DriveAsync(ReadAsync());

        Assert.Equal(SignalState.Present, reading.State);
        Assert.Equal(3, _loki.Queries.Count);
        Assert.Equal(0, await _host.DependencyErrorsAsync("loki", "query"));
        Assert.Equal(1, await _host.DependencyCallsAsync("loki", "query"));
    }

    [Fact]
    public async Task ServiceUnavailableOnEveryAttemptIsUnavailableWithTheStatus()
    {
        _loki.FailNext(10);

        var reading = await _host.DriveAsync(ReadAsync());

        Assert.Equal(SignalState.Unavailable, reading.State);
        Assert.Null(reading.Value);
        Assert.StartsWith("Loki answered 503", reading.Detail, StringComparison.Ordinal);
        Assert.Equal(3, _loki.Queries.Count);
        Assert.Equal(1, await _host.DependencyErrorsAsync("loki", "query"));
    }

    [Fact]
    public async Task ALokiThatHangsTimesOutAsUnavailable()
    {
        _loki.Hang();

        var reading = await _host.DriveAsync(ReadAsync(), TimeSpan.FromSeconds(1));

        Assert.Equal(SignalState.Unavailable, reading.State);
        Assert.Contains("timed out", reading.Detail, StringComparison.Ordinal);
        Assert.Equal(3, _loki.Queries.Count);
    }

    [Fact]
    public async Task AQueryLokiRejectsIsUnavailableWithLokisMessageAndIsNotRetried()
    {
        _loki.AnswerError(400, "bad_data", "parse error at line 1, col 5: syntax error: unexpected IDENTIFIER");

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Unavailable, reading.State);
        Assert.Equal("Loki answered 400: bad_data: parse error at line 1, col 5: syntax error: unexpected IDENTIFIER", reading.Detail);
        Assert.Single(_loki.Queries);
    }

    [Fact]
    public async Task APlainTextErrorIsShownAsItIs()
    {
        _loki.AnswerText(400, "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER");

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Unavailable, reading.State);
        Assert.Equal("Loki answered 400: parse error at line 1, col 1: syntax error: unexpected IDENTIFIER", reading.Detail);
    }

    [Fact]
    public async Task ALogQueryIsUnavailableBecauseItIsNotANumber()
    {
        _loki.AnswerStreams();

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Unavailable, reading.State);
        Assert.Contains("returned a streams", reading.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAnswerThatIsNotLokisJsonIsUnavailable()
    {
        _loki.AnswerText(200, "<html>login</html>");

        var reading = await ReadAsync();

        Assert.Equal(SignalState.Unavailable, reading.State);
        Assert.StartsWith("Loki could not be read", reading.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCallersCancellationIsNotTurnedIntoAReading()
    {
        _loki.Hang();
        using var cancel = new CancellationTokenSource();
        var read = _host.Signal.ReadAsync(Signal, "calico-system", Pod, cancel.Token);
        await _loki.WaitForRequestsAsync(1);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public async Task A503IsNotCountedAsAnErrorWhenTheRetrySucceeds()
    {
        _loki.FailNext(1, HttpStatusCode.BadGateway);
        _loki.AnswerVector(1);

        var reading = await _host.DriveAsync(ReadAsync());

        Assert.Equal(SignalState.Cleared, reading.State);
        Assert.Equal(2, _loki.Queries.Count);
    }
}
