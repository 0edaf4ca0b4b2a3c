using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace AlertHealer.Tests.Soak;

// The store under the soak: the service's connection settings and the faults done to the store
// from outside. The one place that knows which store it is; another provider is another class.
public interface ISoakStore
{
    // Environment variables that point the service at this store.
    IReadOnlyDictionary<string, string?> Settings { get; }

    string Describe();

    // Takes the store's write lock from outside (another writer, a backup, ...) until disposed; null if it could not.
    Task<IAsyncDisposable?> LockAsync(SoakLog log);

    // Makes every write of the process fail, as on a full disk, until disposed; null if it could not.
    Task<IAsyncDisposable?> FillAsync(int pid, SoakLog log);
}

public static class SoakStores
{
    // The store a run uses (SoakSettings.Store).
    public static async Task<ISoakStore> CreateAsync(string directory, SoakSettings settings) => settings.Store switch
    {
        "Postgres" => await PostgresSoakStore.StartAsync(settings.BusyTimeout),
        _ => new SqliteSoakStore(directory, settings.BusyTimeout),
    };
}

public sealed class SqliteSoakStore(string directory, TimeSpan busyTimeout) : ISoakStore
{
    public string DatabasePath => Path.Combine(directory, "alerthealer.db");

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["AlertHealer__Store__ConnectionString"] = $"Data Source={DatabasePath}",
        ["AlertHealer__Store__BusyTimeout"] = busyTimeout.ToString("c"),
    };

    public string Describe() => $"SQLite {DatabasePath}";

    public async Task<IAsyncDisposable?> LockAsync(SoakLog log)
    {
        var holder = new SqliteConnection($"Data Source={DatabasePath};Pooling=false;Default Timeout=3");
        try
        {
            await holder.OpenAsync();
            await using var begin = holder.CreateCommand();
            begin.CommandText = "PRAGMA busy_timeout = 3000; BEGIN EXCLUSIVE";
            await begin.ExecuteNonQueryAsync();
        }
        catch (SqliteException e)
        {
            await holder.DisposeAsync();
            log.Add("store", $"could not take the write lock: {e.Message}");
            return null;
        }
        log.Add("store", "write lock taken from outside");
        return new Undo(async () =>
        {
            await using (holder)
            {
                await using var rollback = holder.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                await rollback.ExecuteNonQueryAsync();
            }
            log.Add("store", "write lock released");
        });
    }

    // A file size limit of 0 on the process (RLIMIT_FSIZE; AppProcess ignores SIGXFSZ): every
    // write to the database or its WAL fails with EFBIG, which SQLite reports as an I/O error.
    // PRAGMA max_page_count cannot do this from outside: it holds only for the connection that sets it.
    public async Task<IAsyncDisposable?> FillAsync(int pid, SoakLog log)
    {
        if (!await PrlimitAsync(pid, "0:"))
        {
            log.Add("store", $"could not limit the file size of process {pid}");
            return null;
        }
        log.Add("store", $"disk full for process {pid} (file size limit 0)");
        return new Undo(async () =>
        {
            var lifted = await PrlimitAsync(pid, "unlimited:");
            log.Add("store", lifted ? "disk has room again" : $"process {pid} is gone; its file size limit went with it");
        });
    }

    private static async Task<bool> PrlimitAsync(int pid, string limit)
    {
        var start = new ProcessStartInfo("prlimit") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--fsize={limit}" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }

    private sealed class Undo(Func<Task> undo) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await undo();
    }
}
