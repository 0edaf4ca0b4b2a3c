using System.Text.Json;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// Keeps every answered request in order and, when a ledger path is given, appends one JSON line per request
/// (<c>{"verb","apiGroup","resource","subresource","namespace"}</c>) to it; the file is shared across test processes.
/// </summary>
internal sealed class RequestRecorder(string? ledgerPath)
{
    /// <summary>The environment variable that names the shared request ledger.</summary>
    public const string LedgerVariable = "ALERTHEALER_TEST_LEDGER";

    private static readonly Lock LedgerGate = new();
    private readonly Lock gate = new();
    private readonly List<RecordedRequest> requests = [];
    private readonly string? ledgerPath = EnsureDirectory(ledgerPath);
    private readonly List<(Func<RecordedRequest, bool> Match, TaskCompletionSource<RecordedRequest> Done)> waiters = [];

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (gate)
        {
            return [.. requests];
        }
    }

    public void Record(RecordedRequest request)
    {
        List<TaskCompletionSource<RecordedRequest>> satisfied;
        lock (gate)
        {
            requests.Add(request);
            satisfied = [.. waiters.Where(w => w.Match(request)).Select(w => w.Done)];
            waiters.RemoveAll(w => satisfied.Contains(w.Done));
        }

        foreach (var done in satisfied)
        {
            done.TrySetResult(request);
        }

        if (!string.IsNullOrEmpty(ledgerPath))
        {
            AppendToLedger(ledgerPath, LedgerLine(request));
        }
    }

    /// <summary>The first recorded request matching <paramref name="match"/>, waiting (real time) up to <paramref name="timeout"/> for it.</summary>
    public async Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (requests.FirstOrDefault(match) is { } already)
            {
                return already;
            }

            waiters.Add((match, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (gate)
            {
                waiters.RemoveAll(w => w.Done == done);
            }

            var seen = string.Join("\n  ", Snapshot().Select(r => $"{r.Method} {r.Path}{r.Query} -> {r.StatusCode}"));
            throw new TimeoutException($"no matching Kubernetes API request within {timeout}; requests so far:\n  {seen}");
        }
    }

    private static string? EnsureDirectory(string? path)
    {
        if (!string.IsNullOrEmpty(path) && Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent)
        {
            Directory.CreateDirectory(parent);
        }

        return path;
    }

    internal static string LedgerLine(RecordedRequest r)
    {
        var entry = new Dictionary<string, string>
        {
            ["verb"] = r.Verb,
            ["apiGroup"] = r.ApiGroup,
            ["resource"] = r.Resource,
            ["subresource"] = r.Subresource,
            ["namespace"] = r.Namespace,
        };
        if (!r.IsResourceRequest)
        {
            entry["nonResourceURL"] = r.Path;
        }

        return JsonSerializer.Serialize(entry) + "\n";
    }

    /// <summary>
    /// Appends under an exclusive lock on the file (advisory on Unix, honoured by every .NET process),
    /// retrying while another process holds it, so concurrent test processes never interleave lines.
    /// </summary>
    private static void AppendToLedger(string path, string line)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(line);
        lock (LedgerGate)
        {
            var spinner = new SpinWait();
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
                    stream.Write(bytes);
                    return;
                }
                catch (IOException) when (attempt < 10_000 && File.Exists(path))
                {
                    spinner.SpinOnce();
                }
            }
        }
    }
}
