using System.Globalization;

namespace AlertHealer.Tests.Soak;

public sealed record SoakEvent(long Seq, DateTimeOffset At, string Source, string Text)
{
    public string Format(DateTimeOffset origin) =>
        string.Create(CultureInfo.InvariantCulture, $"{(At - origin).TotalSeconds,8:F3}s #{Seq,-6} {Source,-7} {Text}");
}

// Everything that happened in a run, in one sequence: what the driver did, what the proxy did
// to each Kubernetes request, what the service answered and logged. Thread-safe.
public sealed class SoakLog
{
    private readonly Lock _gate = new();
    private readonly List<SoakEvent> _events = [];
    private long _seq;

    public DateTimeOffset Origin { get; } = DateTimeOffset.UtcNow;

    public SoakEvent Add(string source, string text)
    {
        lock (_gate)
        {
            var e = new SoakEvent(++_seq, DateTimeOffset.UtcNow, source, text);
            _events.Add(e);
            return e;
        }
    }

    public IReadOnlyList<SoakEvent> Snapshot()
    {
        lock (_gate) return [.. _events];
    }

    // The events around a moment that pass the filter: most of them before it (the causes), a few after.
    public IEnumerable<string> Around(DateTimeOffset at, TimeSpan before, TimeSpan after, int maxBefore, int maxAfter, Func<SoakEvent, bool> filter)
    {
        var events = Snapshot();
        var earlier = events.Where(e => e.At >= at - before && e.At <= at && filter(e)).ToList();
        var later = events.Where(e => e.At > at && e.At <= at + after && filter(e)).Take(maxAfter);
        if (earlier.Count > maxBefore) yield return $"          ... {earlier.Count - maxBefore} earlier events left out";
        foreach (var e in earlier.Skip(Math.Max(0, earlier.Count - maxBefore)).Concat(later)) yield return e.Format(Origin);
    }

    public void WriteTo(string path)
    {
        using var writer = new StreamWriter(path);
        foreach (var e in Snapshot()) writer.WriteLine(e.Format(Origin));
    }

    public string Relative(DateTimeOffset at) => string.Create(CultureInfo.InvariantCulture, $"{(at - Origin).TotalSeconds:F3}s");
}
