namespace AlertHealer.Loki;

public enum SignalState
{
    // The value reached the threshold: the problem is still there.
    Present,
    Cleared,
    // Loki could not be read (timeout, 5xx, refused, bad query); Detail says why.
    Unavailable,
    // No Loki configured: the re-check is off.
    Disabled,
}

public sealed record SignalReading(SignalState State, double? Value, string Detail);
