using System.Buffers;

namespace AlertHealer.Security;

// After a 413, reads and discards what the client is still sending. Kestrel closes a connection
// whose body it cannot drain itself (past its limit, or a body that already failed), and a socket
// closed with request bytes unread sends a reset (RST) that can reach the client before it has
// read the 413: Alertmanager then logs a connection error instead of the refusal.
public static class BodyDrain
{
    // What one refused request may make this process read and throw away, and for how long.
    public const long MaxBytes = 64 * LimitsOptions.MiB;
    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(10);

    // The answer goes out first, so the client has it whatever happens to the rest of the body.
    public static async Task DrainAsync(HttpContext context, Stream body, TimeProvider time, ILogger logger)
    {
        await context.Response.CompleteAsync();
        using var deadline = new CancellationTokenSource(MaxTime, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await body.ReadAsync(buffer, linked.Token) > 0) { }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or OperationCanceledException or IOException)
        {
            // Past MaxBytes, slower than MaxTime, or gone: the connection is closed instead.
            logger.LogInformation("The rest of a refused request body was not read ({Reason}); closing the connection", ex.Message);
            context.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
