using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AlertHealer.Tests.Detection;
using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.EndToEnd;

/// <summary>How fast the test Alertmanager groups and repeats; the shipped route uses 30s / 5m / 4h.</summary>
internal sealed record AlertmanagerTimings(TimeSpan GroupWait, TimeSpan GroupInterval, TimeSpan RepeatInterval)
{
    /// <summary>
    /// Group looked at every 1s, a still-firing group re-sent every 2s. Alertmanager only re-sends on
    /// a group_interval tick, and only once strictly more than repeat_interval has passed; 1.5s is
    /// deliberately not a multiple of 1s, so the repeat lands on every second tick instead of racing
    /// the first one. group_wait only holds back an alert whose startsAt is less than group_wait ago;
    /// the ruler's startsAt is when the rule went pending, so a WhiskerBackendWedged alert (for: 1m)
    /// is notified at once, here and with the shipped 30s.
    /// </summary>
    public static readonly AlertmanagerTimings Fast = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1500));
}

/// <summary>
/// One alert as the Loki ruler pushes it to <c>POST /api/v2/alerts</c>. The ruler re-sends a
/// firing alert on every evaluation with the same startsAt and endsAt a few minutes ahead; when
/// the condition clears it sends the alert once more with endsAt set to when it resolved.
/// </summary>
internal sealed record RulerAlert(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string GeneratorUrl)
{
    // Prometheus' rule manager (which the Loki ruler runs) sets endsAt to
    // 4 × max(evaluation interval, resend delay) ahead: 4m with the defaults of 1m.
    public static readonly TimeSpan FiringValidFor = TimeSpan.FromMinutes(4);

    /// <summary>WhiskerBackendWedged for <paramref name="pod"/>, firing as of <paramref name="now"/>.</summary>
    public static RulerAlert WhiskerWedged(string pod, DateTimeOffset startsAt, DateTimeOffset now) => new(
        new Dictionary<string, string>
        {
            ["alertname"] = "WhiskerBackendWedged",
            ["namespace"] = "calico-system",
            ["pod"] = pod,
            ["severity"] = "warning",
            ["remediation"] = "alerthealer",
        },
        new Dictionary<string, string>
        {
            ["summary"] = $"whisker-backend {pod}: 14 goldmane connection errors in 11m",
            ["description"] = $"The Whisker backend in pod {pod} (namespace calico-system) lost its gRPC stream to goldmane:7443 and is not reconnecting.",
            ["runbook_url"] = "docs/runbooks/whisker-backend-wedged.md",
        },
        startsAt,
        now + FiringValidFor,
        "http://loki.example.invalid/graph?g0.expr=sum+by+%28namespace%2C+pod%29");

    /// <summary>The ruler's next evaluation: still firing, endsAt pushed ahead again.</summary>
    public RulerAlert FiringAt(DateTimeOffset now) => this with { EndsAt = now + FiringValidFor };

    /// <summary>The ruler's last send: the alert ended at <paramref name="at"/>.</summary>
    public RulerAlert ResolvedAt(DateTimeOffset at) => this with { EndsAt = at };

    public JsonObject ToJson() => new()
    {
        ["labels"] = Map(Labels),
        ["annotations"] = Map(Annotations),
        ["startsAt"] = Rfc3339(StartsAt),
        ["endsAt"] = Rfc3339(EndsAt),
        ["generatorURL"] = GeneratorUrl,
    };

    private static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values) map[key] = value;
        return map;
    }

    private static string Rfc3339(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// The real Alertmanager binary as a child process on a free loopback port, no clustering, configured
/// with the route and receiver we ship (deploy/alertmanager/alertmanager.yaml) except for short timings,
/// the webhook URL and the token file. Its debug log is kept for assertions and failure messages.
/// </summary>
internal sealed class AlertmanagerProcess : IAsyncDisposable
{
    public const string Package = "prometheus-alertmanager";
    private const string ShippedConfig = "deploy/alertmanager/alertmanager.yaml";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process process;
    private readonly ConcurrentQueue<string> log;
    private readonly string directory;
    private readonly HttpClient http;
    private int disposed;

    private AlertmanagerProcess(Process process, ConcurrentQueue<string> log, string directory, Uri baseAddress)
    {
        this.process = process;
        this.log = log;
        this.directory = directory;
        BaseAddress = baseAddress;
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Alertmanager's own address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The token file named by the receiver's credentials_file; Alertmanager reads it on every request.</summary>
    public string TokenFile => TokenFileIn(directory);

    /// <summary>Every line Alertmanager logged so far.</summary>
    public IReadOnlyList<string> LogLines => [.. log];

    public string Log => string.Join('\n', log);

    /// <summary>
    /// Starts Alertmanager with the shipped AlertHealer route, sending to <paramref name="webhookUrl"/>
    /// with <paramref name="token"/> as the Bearer credentials, and waits until it is ready. An https
    /// URL is checked against <paramref name="caFile"/> (the shipped tls_config); without one the
    /// shipped tls_config is dropped, as the file says to do for plain HTTP.
    /// </summary>
    public static async Task<AlertmanagerProcess> StartAsync(Uri webhookUrl, string token, AlertmanagerTimings? timings = null, string? caFile = null)
    {
        var binary = FindBinary();
        var directory = Directory.CreateTempSubdirectory("alerthealer-alertmanager-").FullName;
        try
        {
            var tokenFile = TokenFileIn(directory);
            await File.WriteAllTextAsync(tokenFile, token);
            var config = Path.Combine(directory, "alertmanager.yml");
            await File.WriteAllTextAsync(config, Config(webhookUrl, tokenFile, timings ?? AlertmanagerTimings.Fast, caFile));

            // The free port is found by binding and releasing it; if another process takes it in
            // between, Alertmanager exits at once and we try another one.
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                if (await TryStartAsync(binary, directory, config, FreeLoopbackPort()) is { } started) return started;
            }
            Assert.Fail("Alertmanager found its loopback port taken three times in a row.");
            return null!; // unreachable
        }
        catch
        {
            TryDelete(directory);
            throw;
        }
    }

    /// <summary>Pushes alerts the way the Loki ruler does; Alertmanager must accept them (200).</summary>
    public async Task PostAlertsAsync(params RulerAlert[] alerts)
    {
        var body = new JsonArray([.. alerts.Select(a => (JsonNode)a.ToJson())]);
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("api/v2/alerts", content);
        Assert.True(response.IsSuccessStatusCode,
            $"Alertmanager answered {(int)response.StatusCode} to the pushed alerts: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The alerts Alertmanager holds (<c>GET /api/v2/alerts</c>), with the fingerprints it computed.</summary>
    public async Task<IReadOnlyList<JsonObject>> AlertsAsync()
    {
        var array = JsonNode.Parse(await http.GetStringAsync("api/v2/alerts"))!.AsArray();
        return [.. array.Select(a => a!.AsObject())];
    }

    /// <summary>
    /// The current value of each of <paramref name="series"/> (exactly as exposed, e.g.
    /// <c>alertmanager_notifications_total{integration="webhook"}</c>) from one scrape of Alertmanager's
    /// <c>/metrics</c>. A series the binary does not expose fails the test.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, double>> MetricsAsync(params string[] series)
    {
        var text = await http.GetStringAsync("metrics");
        var values = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            foreach (var name in series)
            {
                if (line.StartsWith(name + " ", StringComparison.Ordinal))
                    values[name] = double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }
        foreach (var name in series)
        {
            Assert.True(values.ContainsKey(name), $"Alertmanager's /metrics has no series {name}");
        }
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        http.Dispose();
        await StopAsync(process);
        process.Dispose();
        TryDelete(directory);
    }

    /// <summary>The Debian package installs the binary as prometheus-alertmanager; upstream calls it alertmanager.</summary>
    private static string FindBinary()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var name in new[] { "prometheus-alertmanager", "alertmanager" })
        {
            foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        Assert.Fail($"Neither `prometheus-alertmanager` nor `alertmanager` is on PATH. Install the Debian package `{Package}` (tests/run.sh installs it).");
        return ""; // unreachable
    }

    /// <summary>
    /// The shipped configuration with the test's timings on every route, the alerthealer receiver's
    /// URL pointed at the running AlertHealer, its credentials_file at the test's token file and its
    /// tls_config's ca_file at the test's CA (or tls_config dropped for plain HTTP).
    /// Matchers, group_by, continue, send_resolved, max_alerts and the Bearer type stay as shipped.
    /// </summary>
    private static string Config(Uri webhookUrl, string tokenFile, AlertmanagerTimings timings, string? caFile)
    {
        var root = Yaml.Load(Tool.InRepo(ShippedConfig.Split('/')));
        SetTimings(Yaml.Mapping(root, "route"), timings);

        var receiver = Assert.Single(Yaml.Sequence(root, "receivers").Children.Cast<YamlMappingNode>(),
            r => Yaml.Scalar(r, "name") == "alerthealer");
        var webhook = Assert.IsType<YamlMappingNode>(Assert.Single(Yaml.Sequence(receiver, "webhook_configs").Children));
        webhook.Children[new YamlScalarNode("url")] = new YamlScalarNode(new Uri(webhookUrl, "/webhook/alertmanager").ToString());
        var httpConfig = Yaml.Mapping(webhook, "http_config");
        var authorization = Yaml.Mapping(httpConfig, "authorization");
        authorization.Children[new YamlScalarNode("credentials_file")] = new YamlScalarNode(tokenFile);
        if (caFile is null) httpConfig.Children.Remove(new YamlScalarNode("tls_config"));
        else Yaml.Mapping(httpConfig, "tls_config").Children[new YamlScalarNode("ca_file")] = new YamlScalarNode(caFile);

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static void SetTimings(YamlMappingNode route, AlertmanagerTimings timings)
    {
        route.Children[new YamlScalarNode("group_wait")] = new YamlScalarNode(Duration(timings.GroupWait));
        route.Children[new YamlScalarNode("group_interval")] = new YamlScalarNode(Duration(timings.GroupInterval));
        route.Children[new YamlScalarNode("repeat_interval")] = new YamlScalarNode(Duration(timings.RepeatInterval));
        if (Yaml.Child(route, "routes") is YamlSequenceNode children)
        {
            foreach (var child in children.Children.Cast<YamlMappingNode>()) SetTimings(child, timings);
        }
    }

    // Alertmanager's duration format: a whole number of milliseconds is always valid.
    private static string Duration(TimeSpan t) => $"{(long)t.TotalMilliseconds}ms";

    private static string TokenFileIn(string directory) => Path.Combine(directory, "webhook-token");

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<AlertmanagerProcess?> TryStartAsync(string binary, string directory, string config, int port)
    {
        var log = new ConcurrentQueue<string>();
        var info = new ProcessStartInfo(binary)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}",
            $"--storage.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=debug",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            Assert.Fail($"could not start {binary}: {e.Message}");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var alertmanager = new AlertmanagerProcess(process, log, directory, baseAddress);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                var output = string.Join('\n', log);
                var exitCode = process.ExitCode;
                alertmanager.http.Dispose();
                process.Dispose();
                // A port taken between probing and binding: retry on another. Anything else is fatal.
                if (output.Contains("address already in use", StringComparison.Ordinal)) return null;
                Assert.Fail($"Alertmanager exited with {exitCode} while starting:\n{output}");
            }
            try
            {
                using var ready = await alertmanager.http.GetAsync("-/ready");
                if (ready.StatusCode == HttpStatusCode.OK) return alertmanager;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        var stuck = alertmanager.Log;
        alertmanager.http.Dispose();
        await StopAsync(process);
        process.Dispose();
        Assert.Fail($"Alertmanager was not ready on {baseAddress} within {StartTimeout}:\n{stuck}");
        return null; // unreachable
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
