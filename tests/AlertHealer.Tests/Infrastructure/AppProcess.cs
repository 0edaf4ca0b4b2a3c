using System.Collections.Concurrent;
using System.Diagnostics;

namespace AlertHealer.Tests.Infrastructure;

// AlertHealer as a real process, started from a working directory of the test's choosing and
// configured by environment variables, for what only the real process shows (startup refusals,
// where settings are read from, Kestrel's own listening, SIGKILL at any moment and a restart on
// the same store). The process is the shipped native build where ALERTHEALER_APP names it
// (tests/run.sh publishes it once per run), else the built AlertHealer.dll run by `dotnet`.
public sealed class AppProcess : IAsyncDisposable
{
    // Generous: a loaded 2-core machine can take tens of seconds to start .NET.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const string Listening = "Now listening on: ";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout;
    private readonly ConcurrentQueue<string> _stderr;

    private AppProcess(Process process, ConcurrentQueue<string> stdout, ConcurrentQueue<string> stderr, IReadOnlyList<Uri> addresses)
    {
        _process = process;
        _stdout = stdout;
        _stderr = stderr;
        Addresses = addresses;
        Id = process.Id;
    }

    public int Id { get; }

    // The first plain-HTTP address, e.g. http://127.0.0.1:41234/.
    public Uri BaseAddress => new(Address("http").ToString().TrimEnd('/') + "/");

    public static string Dll => Environment.GetEnvironmentVariable("ALERTHEALER_APP") is { Length: > 0 } app
        ? Path.GetFullPath(app)
        : Path.Combine(AppContext.BaseDirectory, "AlertHealer.dll");

    // Whether Dll is the native build.
    public static bool IsNative => !Dll.EndsWith(".dll", StringComparison.Ordinal);

    // Every address Kestrel reported listening on.
    public IReadOnlyList<Uri> Addresses { get; }

    // Everything the process wrote so far, standard output then standard error.
    public string Output => string.Join('\n', _stdout.Concat(_stderr));

    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; } // disposed
        }
    }

    public Uri Address(string scheme) => Assert.Single(Addresses, a => a.Scheme == scheme);

    // A configuration that starts: the simulated cluster, the test tokens, a store in directory.
    public static Dictionary<string, string?> Settings(string directory) => new()
    {
        ["AlertHealer__Kubernetes__Mode"] = "Simulated",
        ["AlertHealer__Store__ConnectionString"] = $"Data Source={Path.Combine(directory, "alerthealer.db")}",
        ["AlertHealer__Auth__WebhookToken"] = TestApp.WebhookToken,
        ["AlertHealer__Auth__OperatorToken"] = TestApp.OperatorToken,
        ["AlertHealer__Auth__ReaderToken"] = TestApp.ReaderToken,
    };

    // Runs a process that is expected to refuse to start; a process still running is a failure.
    public static async Task<AppExit> RunToExitAsync(IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null,
        string? urls = "http://127.0.0.1:0", params string[] arguments)
    {
        var (process, stdout, stderr) = Launch(Dll, environment, workingDirectory, urls, null, arguments);
        using (process)
        {
            using var timeout = new CancellationTokenSource(Patience);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the service kept running instead of refusing to start:\n{string.Join('\n', stdout)}");
            }
            return new AppExit(process.ExitCode, string.Join('\n', stdout), string.Join('\n', stderr));
        }
    }

    // Starts the service and waits until it has started listening. onLine sees every line it writes.
    public static Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, Action<string> onLine) =>
        StartAsync(environment, null, "http://127.0.0.1:0", onLine);

    public static Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null,
        string? urls = "http://127.0.0.1:0", Action<string>? onLine = null) =>
        StartBuildAsync(Dll, environment, workingDirectory, urls, onLine);

    // Another build of AlertHealer (the previous release, say), started and awaited the same way.
    public static async Task<AppProcess> StartBuildAsync(string dll, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null,
        string? urls = "http://127.0.0.1:0", Action<string>? onLine = null)
    {
        var (process, stdout, stderr) = Launch(dll, environment, workingDirectory, urls, onLine);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Patience)
        {
            if (stdout.Any(l => l.Contains("Application started.", StringComparison.Ordinal)))
            {
                var addresses = stdout.Where(l => l.Contains(Listening, StringComparison.Ordinal))
                    .Select(l => new Uri(l[(l.IndexOf(Listening, StringComparison.Ordinal) + Listening.Length)..].Trim()))
                    .ToList();
                return new AppProcess(process, stdout, stderr, addresses);
            }
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                var message = $"AlertHealer exited with {process.ExitCode} while starting:\n{string.Join('\n', stdout.Concat(stderr))}";
                process.Dispose();
                throw new InvalidOperationException(message);
            }
            await Task.Delay(50);
        }
        process.Kill(entireProcessTree: true);
        process.Dispose();
        throw new TimeoutException($"AlertHealer did not start within {Patience}:\n{string.Join('\n', stdout.Concat(stderr))}");
    }

    private static (Process, ConcurrentQueue<string> Stdout, ConcurrentQueue<string> Stderr) Launch(string dll,
        IReadOnlyDictionary<string, string?> environment, string? workingDirectory, string? urls, Action<string>? onLine, params string[] arguments)
    {
        // Through sh only to ignore SIGXFSZ (kept across exec): a file size limit set on the
        // process then fails writes with EFBIG, like a full disk, instead of killing it.
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(dll)!,
        };
        // A .dll runs on `dotnet`; the native build is its own executable.
        var exec = dll.EndsWith(".dll", StringComparison.Ordinal) ? "exec dotnet \"$@\"" : "exec \"$@\"";
        foreach (var argument in new[] { "-c", $"trap '' XFSZ; {exec}", "sh", dll }.Concat(arguments)) start.ArgumentList.Add(argument);
        // Null: listen where the environment says (ASPNETCORE_URLS, ASPNETCORE_HTTP(S)_PORTS).
        if (urls is not null)
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(urls);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        // One line per log entry, so each can be timed and matched.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        var stdout = new ConcurrentQueue<string>();
        var stderr = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { stdout.Enqueue(e.Data); onLine?.Invoke(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { stderr.Enqueue(e.Data); onLine?.Invoke(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, stdout, stderr);
    }

    // SIGKILL: no shutdown hooks, no flush; what was not committed is lost, as in a node crash.
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (InvalidOperationException)
        {
            // Already reaped.
        }
    }

    // SIGTERM: the graceful shutdown Kubernetes asks for; returns once the process has exited.
    public async Task<int> TerminateAsync(TimeSpan limit)
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}

// How a process that refused to start ended.
public sealed record AppExit(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + "\n" + StandardError;
}
