using System.Collections.Concurrent;
using System.Diagnostics;

namespace AlertHealer.Tests.Infrastructure;

// AlertHealer as a real process: the built AlertHealer.dll started with `dotnet` from a working
// directory of the test's choosing and configured by environment variables, for what only the
// real process shows (startup refusals, where settings are read from, Kestrel's own listening).
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
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "AlertHealer.dll");

    // Every address Kestrel reported listening on.
    public IReadOnlyList<Uri> Addresses { get; }

    // Everything the process wrote so far, standard output then standard error.
    public string Output => string.Join('\n', _stdout.Concat(_stderr));

    public bool HasExited => _process.HasExited;

    public Uri Address(string scheme) => Assert.Single(Addresses, a => a.Scheme == scheme);

    // A configuration that starts: the simulated cluster, the test tokens, a store in directory.
    public static Dictionary<string, string?> Settings(string directory) => new()
    {
        ["AlertHealer__Kubernetes__Mode"] = "Simulated",
        ["AlertHealer__Audit__ConnectionString"] = $"Data Source={Path.Combine(directory, "alerthealer.db")}",
        ["AlertHealer__Auth__WebhookToken"] = TestApp.WebhookToken,
        ["AlertHealer__Auth__OperatorToken"] = TestApp.OperatorToken,
        ["AlertHealer__Auth__ReaderToken"] = TestApp.ReaderToken,
    };

    // Runs a process that is expected to refuse to start; a process still running is a failure.
    public static async Task<AppExit> RunToExitAsync(Dictionary<string, string?> environment, string? workingDirectory = null, string? urls = "http://127.0.0.1:0")
    {
        var (process, stdout, stderr) = Launch(environment, workingDirectory, urls);
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

    // Starts the service and waits until it has started listening.
    public static async Task<AppProcess> StartAsync(Dictionary<string, string?> environment, string? workingDirectory = null, string? urls = "http://127.0.0.1:0")
    {
        var (process, stdout, stderr) = Launch(environment, workingDirectory, urls);
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

    private static (Process, ConcurrentQueue<string> Stdout, ConcurrentQueue<string> Stderr) Launch(
        Dictionary<string, string?> environment, string? workingDirectory, string? urls)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Dll);
        // Null: listen where the environment says (ASPNETCORE_URLS, ASPNETCORE_HTTP(S)_PORTS).
        if (urls is not null)
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(urls);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        var stdout = new ConcurrentQueue<string>();
        var stderr = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) stdout.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, stdout, stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

// How a process that refused to start ended.
public sealed record AppExit(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + "\n" + StandardError;
}
