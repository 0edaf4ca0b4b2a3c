using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AlertHealer.Alertmanager;
using AlertHealer.Loki;
using AlertHealer.Metrics;
using AlertHealer.Policies;
using AlertHealer.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Infrastructure;

// The healer's container with only the Loki and Alertmanager clients and the store that keeps
// open escalations (a SQLite file of its own), registered by the app's own Add... methods and
// started like the app (options validated, hosted services run).
public sealed class ClientHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 13, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _ending = new();

    private ClientHost(WebApplication app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    // Cancelled when the host is disposed, so a call a failed test left waiting on the fake
    // clock ends (the resilience pipeline waits for its calls before it is disposed).
    public CancellationToken Token => _ending.Token;
    public IServiceProvider Services => _app.Services;
    public ISignalCheck Signal => Services.GetRequiredService<ISignalCheck>();
    public IEscalator Escalator => Services.GetRequiredService<IEscalator>();
    public IStateStore State => Services.GetRequiredService<IStateStore>();

    public static async Task<ClientHost> StartAsync(IReadOnlyDictionary<string, string?> settings, FakeTimeProvider? time = null)
    {
        var app = Build(settings, time ??= new FakeTimeProvider(Start));
        await app.StartAsync();
        return new ClientHost(app, time);
    }

    // Builds without starting, for tests of startup itself.
    public static WebApplication Build(IReadOnlyDictionary<string, string?> settings, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        if (builder.Configuration[$"{StorageOptions.Section}:ConnectionString"] is null)
        {
            // Created when the store starts, under a directory of its own.
            var file = Path.Combine(Path.GetTempPath(), $"alerthealer-client-{Guid.NewGuid():N}", "alerthealer.db");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{StorageOptions.Section}:ConnectionString"] = $"Data Source={file}" });
        }
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(time ?? new FakeTimeProvider(Start));
        builder.Services.AddSingleton<HealerMetrics>();
        builder.AddStorage();
        builder.AddLoki();
        builder.AddAlertmanager();
        return builder.Build();
    }

    // Backoff delays and timeouts run on the fake clock: moves it on in small steps until the
    // call returns (bounded in real time). Small steps keep an attempt that is still on the
    // wire from timing out on the fake clock; pass a bigger step to get through timeouts.
    public async Task<T> DriveAsync<T>(Task<T> call, TimeSpan? step = null)
    {
        await DriveAsync((Task)call, step);
        return await call;
    }

    public async Task DriveAsync(Task call, TimeSpan? step = null)
    {
        var started = Stopwatch.StartNew();
        while (await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(20))) != call)
        {
            if (started.Elapsed > FakeHttpServer.DefaultWait) throw new TimeoutException($"the call did not return within {FakeHttpServer.DefaultWait} (fake clock now {Time.GetUtcNow():O})");
            Time.Advance(step ?? TimeSpan.FromMilliseconds(100));
        }
        await call;
    }

    // Every message in an exception tree (startup reports options failures as an AggregateException).
    public static string Messages(Exception e) => e switch
    {
        AggregateException a => string.Join(" | ", a.InnerExceptions.Select(Messages)),
        { InnerException: { } inner } => e.Message + " | " + Messages(inner),
        _ => e.Message,
    };

    // alerthealer_dependency_errors_total for one dependency and operation.
    public async Task<double> DependencyErrorsAsync(string dependency, string operation) =>
        await ReadMetricAsync("alerthealer_dependency_errors_total", dependency, operation);

    // Number of observations in alerthealer_dependency_call_duration_seconds.
    public async Task<double> DependencyCallsAsync(string dependency, string operation) =>
        await ReadMetricAsync("alerthealer_dependency_call_duration_seconds_count", dependency, operation);

    private async Task<double> ReadMetricAsync(string name, string dependency, string operation)
    {
        using var stream = new MemoryStream();
        await Services.GetRequiredService<HealerMetrics>().Registry.CollectAndExportAsTextAsync(stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        var line = new Regex($"^{Regex.Escape(name)}\\{{dependency=\"{Regex.Escape(dependency)}\",operation=\"{Regex.Escape(operation)}\"\\}} (\\S+)$", RegexOptions.Multiline).Match(text);
        return line.Success ? double.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _ending.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _ending.Dispose();
    }
}
