using Microsoft.AspNetCore.Http;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>Writes a watch as the API server does: 200, chunked, one JSON event per line, flushed per event.</summary>
internal static class WatchStream
{
    public static async Task WriteAsync(HttpResponse response, PodSubscription subscription, TimeSpan? timeout, CancellationToken stopping)
    {
        var aborted = response.HttpContext.RequestAborted;
        using var end = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        if (timeout is { } t)
        {
            end.CancelAfter(t);
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        try
        {
            await response.StartAsync(aborted);
            await response.Body.FlushAsync(aborted);
            while (await subscription.Lines.WaitToReadAsync(end.Token))
            {
                while (subscription.Lines.TryRead(out var line))
                {
                    if (line == PodSubscription.CutMarker)
                    {
                        await response.WriteAsync("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"apiVer", aborted);
                        await response.Body.FlushAsync(aborted);
                        response.HttpContext.Abort();
                        return;
                    }

                    await response.WriteAsync(line + "\n", aborted);
                    await response.Body.FlushAsync(aborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone or server stopping: end the stream.
        }
        catch (IOException)
        {
            // The client closed the connection mid-write.
        }
    }
}
