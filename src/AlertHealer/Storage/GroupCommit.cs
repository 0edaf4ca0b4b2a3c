using System.Data.Common;
using System.Threading.Channels;

namespace AlertHealer.Storage;

// Group commit for the webhook's hot path: deliveries that arrive while a commit is under
// way share the next transaction, one savepoint each, and every caller is answered only
// after that commit is durable. One fsync serves many acks.
public abstract class GroupCommit<TConnection, TTransaction> : BackgroundService
    where TTransaction : DbTransaction
{
    private const int MaxBatch = 256;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    public async Task<T> WriteAsync<T>(Func<TConnection, TTransaction, Task<T>> work, CancellationToken ct)
    {
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(async (c, tx) => await work(c, tx), done)))
            throw new StoreUnavailableException("the store is shutting down");
        return (T)(await done.Task.WaitAsync(ct))!;
    }

    // Runs the batch in one write transaction of the database.
    protected abstract Task CommitBatchAsync(Func<TConnection, TTransaction, Task<bool>> batch);

    // A fault of one delivery that rolling back its savepoint undoes; the others still commit.
    protected abstract bool IsDeliveryFault(Exception ex);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Drains what is queued even while stopping: StopAsync closes the queue first.
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            await CommitAsync(batch);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        var results = new (object? Value, Exception? Error)[batch.Count];
        try
        {
            await CommitBatchAsync(async (c, tx) =>
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var savepoint = "delivery" + i;
                    await tx.SaveAsync(savepoint);
                    try
                    {
                        results[i] = (await batch[i].Work(c, tx), null);
                        await tx.ReleaseAsync(savepoint);
                    }
                    catch (Exception ex) when (IsDeliveryFault(ex))
                    {
                        await tx.RollbackAsync(savepoint);
                        results[i] = (null, new StoreUnavailableException($"the store could not write: {ex.Message}", ex));
                    }
                }
                return true;
            });
        }
        catch (Exception ex)
        {
            // The commit itself failed: nothing of this batch is stored.
            foreach (var p in batch) p.Done.TrySetException(ex is StoreUnavailableException ? ex : new StoreUnavailableException(ex.Message, ex));
            return;
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i].Error is { } error) batch[i].Done.TrySetException(error);
            else batch[i].Done.TrySetResult(results[i].Value);
        }
    }

    private sealed record Pending(Func<TConnection, TTransaction, Task<object?>> Work, TaskCompletionSource<object?> Done);
}
