using System.Globalization;

namespace AlertHealer.Hosting;

// The process's clock. ALERTHEALER_CLOCK_OFFSET (a TimeSpan such as 00:00:30 or -00:00:30) skews
// it, for tests only: it shows that claims and Leases are not judged by a replica's own clock.
public static class Clock
{
    public const string OffsetVariable = "ALERTHEALER_CLOCK_OFFSET";

    public static WebApplicationBuilder AddClock(this WebApplicationBuilder builder)
    {
        var offset = Environment.GetEnvironmentVariable(OffsetVariable) is { Length: > 0 } text
            ? TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{OffsetVariable} must be a TimeSpan such as 00:00:30 or -00:00:30, not '{text}'")
            : TimeSpan.Zero;
        builder.Services.AddSingleton(offset == TimeSpan.Zero ? TimeProvider.System : new OffsetTimeProvider(offset));
        return builder;
    }

    // Wall-clock time moved by a constant; timers and elapsed time are the system's.
    private sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
