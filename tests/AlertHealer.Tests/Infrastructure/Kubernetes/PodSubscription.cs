using System.Threading.Channels;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>A live watch: receives the lines its filter lets through, in resourceVersion order.</summary>
internal sealed class PodSubscription(PodFilter filter, Action<PodSubscription> unsubscribe) : IDisposable
{
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<string> Lines => lines.Reader;

    /// <summary>Called under the store's lock, so offers arrive in order.</summary>
    public void Offer(PodEvent change)
    {
        if (change.LineFor(filter) is { } line)
        {
            lines.Writer.TryWrite(line);
        }
    }

    /// <summary>Ends the stream after what was already offered, e.g. with an ERROR event.</summary>
    public void Complete(string? lastLine = null)
    {
        if (lastLine is not null)
        {
            lines.Writer.TryWrite(lastLine);
        }

        lines.Writer.TryComplete();
    }

    /// <summary>The line that makes the stream write half an event and drop the connection.</summary>
    public const string CutMarker = "\u0000cut";

    /// <summary>Ends the stream mid-event, as a node that loses its network does: half a line, then a reset.</summary>
    public void Cut() => Complete(CutMarker);

    public void Dispose()
    {
        unsubscribe(this);
        lines.Writer.TryComplete();
    }
}
