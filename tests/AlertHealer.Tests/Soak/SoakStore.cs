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

    // Takes the store's write lock from outside for a while (another writer, a backup, ...).
    Task<bool> HoldLockAsync(TimeSpan duration, SoakLog log, CancellationToken ct);

    // Makes every write of the process fail for a while, as on a full disk.
    Task<bool> RefuseWritesAsync(int pid, TimeSpan duration, SoakLog log, CancellationToken ct);
}

public static class SoakStores
{
    // The store a run uses. SQLite today; a PostgreSQL store would be chosen here.
    public static ISoakStore Create(string directory, SoakSettings settings) => new SqliteSoakStore(directory, settings.BusyTimeout);
}

public sealed class SqliteSoakStore(string directory, TimeSpan busyTimeout) : ISoakStore
{
    public string DatabasePath => Path.Combine(directory, "alerthealer.db");

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["AlertHealer__Audit__ConnectionString"] = $"Data Source={DatabasePath}",
        ["AlertHealer__Audit__BusyTimeout"] = busyTimeout.ToString("c"),
    };

    public string Describe() => $"SQLite {DatabasePath}";

    public async Task<bool> HoldLockAsync(TimeSpan duration, SoakLog log, CancellationToken ct)
    {
        await using var holder = new SqliteConnection($"Data Source={DatabasePath};Pooling=false;Default Timeout=3");
        await holder.OpenAsync(ct);
        await using var begin = holder.CreateCommand();
        begin.CommandText = "PRAGMA busy_timeout = 3000; BEGIN EXCLUSIVE";
        try
        {
            await begin.ExecuteNonQueryAsync(ct);
        }
        catch (SqliteException e)
        {
            log.Add("store", $"could not take the write lock: {e.Message}");
            return false;
        }
        log.Add("store", $"write lock taken from outside for {duration.TotalSeconds:F1}s");
        try
        {
            await Task.Delay(duration, ct);
        }
        finally
        {
            await using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
            log.Add("store", "write lock released");
        }
        return true;
    }

    // A file size limit of 0 on the process (RLIMIT_FSIZE; AppProcess ignores SIGXFSZ): every
    // write to the database or its WAL fails with EFBIG, which SQLite reports as an I/O error.
    // PRAGMA max_page_count cannot do this from outside: it holds only for the connection that sets it.
    public async Task<bool> RefuseWritesAsync(int pid, TimeSpan duration, SoakLog log, CancellationToken ct)
    {
        if (!await PrlimitAsync(pid, "0:"))
        {
            log.Add("store", $"could not limit the file size of process {pid}");
            return false;
        }
        log.Add("store", $"disk full for process {pid} (file size limit 0) for {duration.TotalSeconds:F1}s");
        try
        {
            await Task.Delay(duration, ct);
        }
        finally
        {
            var lifted = await PrlimitAsync(pid, "unlimited:");
            log.Add("store", lifted ? "disk has room again" : $"process {pid} is gone; its file size limit went with it");
        }
        return true;
    }

    private static async Task<bool> PrlimitAsync(int pid, string limit)
    {
        var start = new ProcessStartInfo("prlimit") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--fsize={limit}" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }
}
