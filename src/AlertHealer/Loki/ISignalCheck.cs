namespace AlertHealer.Loki;

public interface ISignalCheck
{
    // Never throws for Loki faults: they come back as Unavailable. Only ct cancels.
    Task<SignalReading> ReadAsync(SignalOptions signal, string ns, string pod, CancellationToken ct);
}

// No Loki configured.
public sealed class DisabledSignalCheck : ISignalCheck
{
    public Task<SignalReading> ReadAsync(SignalOptions signal, string ns, string pod, CancellationToken ct) =>
        Task.FromResult(new SignalReading(SignalState.Disabled, null, $"{LokiOptions.Section}:BaseUrl is not set; the log re-check is off"));
}
