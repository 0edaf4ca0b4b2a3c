using Microsoft.Data.Sqlite;

namespace AlertHealer.Storage;

// Group commit for every write: what arrives while a commit is under way shares the next
// transaction, one savepoint each, and every caller is answered only after that commit is on
// disk. One fsync serves many webhook acks and the worker's claims and decisions alike.
public sealed class SqliteGroupCommit(SqliteDatabase db) : BackgroundService
{
    private const int MaxBatch = 256;

    // The webhook's inbox writes; the same queue as every other write.
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct) => db.WriteAsync(work, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Drains what is queued even while stopping: StopAsync closes the queue first.
        var queue = db.PendingWrites;
        var batch = new List<PendingWrite>(MaxBatch);
        while (await queue.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.TryRead(out var next))
            {
                // Dropped before it started: the caller has gone (a closed request, a stopping worker).
                if (next.Cancellation.IsCancellationRequested) next.Done.TrySetCanceled(next.Cancellation);
                else batch.Add(next);
            }
            if (batch.Count > 0) await CommitAsync(batch);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        db.CloseWrites();
        await base.StopAsync(cancellationToken);
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var results = new (object? Value, Exception? Error)[batch.Count];
        try
        {
            await db.TransactionAsync(async (c, tx) =>
            {
                // One savepoint name, prepared once per batch: each write's savepoint is released
                // (or rolled back and released) before the next one opens.
                await using var save = c.Command("SAVEPOINT write", tx);
                await using var release = c.Command("RELEASE write", tx);
                await using var rollback = c.Command("ROLLBACK TO write", tx);
                for (var i = 0; i < batch.Count; i++)
                {
                    await save.ExecuteNonQueryAsync();
                    try
                    {
                        results[i] = (await batch[i].Work(c, tx), null);
                        await release.ExecuteNonQueryAsync();
                    }
                    catch (Exception ex)
                    {
                        // Only this write is refused; the others still commit.
                        await rollback.ExecuteNonQueryAsync();
                        await release.ExecuteNonQueryAsync();
                        results[i] = (null, ex is SqliteException ? new StoreUnavailableException($"the store could not write: {ex.Message}", ex) : ex);
                    }
                }
            });
        }
        catch (Exception ex)
        {
            // The commit itself failed: nothing of this batch is stored.
            var error = ex as StoreUnavailableException ?? new StoreUnavailableException($"the store could not write: {ex.Message}", ex);
            foreach (var p in batch) p.Done.TrySetException(error);
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i].Error is { } error) batch[i].Done.TrySetException(error);
            else batch[i].Done.TrySetResult(results[i].Value);
        }
    }
}
