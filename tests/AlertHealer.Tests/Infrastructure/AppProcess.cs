using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AlertHealer.Tests.Infrastructure;

// The real service as a child process: `dotnet AlertHealer.dll` from the test binaries' folder,
// configured only by environment variables, listening on a free loopback port. Used to show
// startup refusals (RunToExitAsync) and to kill the service with SIGKILL and start it again on
// the same store (StartAsync, Kill).
public sealed partial class AppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process, Action<string>? onLine)
    {
        _process = process;
        void Receive(string? line)
        {
            if (line is null) return;
            _output.Enqueue(line);
            if (ListeningOn().Match(line) is { Success: true } m) _listening.TrySetResult(new Uri(m.Groups[1].Value.TrimEnd('/') + "/"));
            onLine?.Invoke(line);
        }
        process.OutputDataReceived += (_, e) => Receive(e.Data);
        process.ErrorDataReceived += (_, e) => Receive(e.Data);
    }

    public int Id { get; private set; }

    // Where the service listens, e.g. http://127.0.0.1:41234/.
    public Uri BaseAddress { get; private set; } = null!;

    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; } // disposed
        }
    }

    public string Output => string.Join('\n', _output);

    // Runs the service until it exits by itself (a refused startup); fails if it keeps running.
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        await using var app = Launch(environment, onLine: null);
        using var limit = new CancellationTokenSource(timeout ?? StartTimeout);
        try
        {
            await app._process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the service kept running instead of refusing to start");
        }
        return (app._process.ExitCode, app.Output);
    }

    // Starts the service and returns once it listens. onLine sees every line it writes.
    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, Action<string>? onLine = null)
    {
        var app = Launch(environment, onLine);
        try
        {
            using var limit = new CancellationTokenSource(StartTimeout);
            var exited = app._process.WaitForExitAsync(limit.Token);
            var first = await Task.WhenAny(app._listening.Task, exited);
            if (first != app._listening.Task)
            {
                throw new InvalidOperationException(
                    $"the service did not start listening (exit code {(app._process.HasExited ? app._process.ExitCode : "none")}):\n{app.Output}");
            }
            app.BaseAddress = await app._listening.Task;
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
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

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static AppProcess Launch(IReadOnlyDictionary<string, string?> environment, Action<string>? onLine)
    {
        // Through sh only to ignore SIGXFSZ (kept across exec): a file size limit set on the
        // process then fails writes with EFBIG, like a full disk, instead of killing it.
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { "-c", "trap '' XFSZ; exec dotnet \"$@\"", "sh",
            Path.Combine(AppContext.BaseDirectory, "AlertHealer.dll"), "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
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
        var process = new Process { StartInfo = start };
        var app = new AppProcess(process, onLine);
        process.Start();
        app.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
