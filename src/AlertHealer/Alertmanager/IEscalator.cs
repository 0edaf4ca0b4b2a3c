namespace AlertHealer.Alertmanager;

// None of these throw for Alertmanager faults: they log a warning and count the error. Open
// escalations live in the store; ResolveAsync and RefreshAsync throw StoreUnavailableException
// when it cannot be used (an end must not be lost silently), RaiseAsync still sends the page.
public interface IEscalator
{
    // Fires (or keeps firing) the escalation; it stays open until ResolveAsync.
    Task RaiseAsync(Escalation e, CancellationToken ct);

    // Ends every open escalation of the policy, whichever process or replica raised it.
    Task ResolveAsync(string policy, CancellationToken ct);

    // Re-posts the open escalations before their endsAt passes (and delivers any that failed).
    Task RefreshAsync(CancellationToken ct);

    // Equality matchers; returns the silence id, or null when it could not be created.
    Task<string?> SilenceAsync(IReadOnlyDictionary<string, string> matchers, DateTimeOffset until, string comment, CancellationToken ct);
}

// No Alertmanager configured.
public sealed class DisabledEscalator : IEscalator
{
    public Task RaiseAsync(Escalation e, CancellationToken ct) => Task.CompletedTask;
    public Task ResolveAsync(string policy, CancellationToken ct) => Task.CompletedTask;
    public Task RefreshAsync(CancellationToken ct) => Task.CompletedTask;
    public Task<string?> SilenceAsync(IReadOnlyDictionary<string, string> matchers, DateTimeOffset until, string comment, CancellationToken ct) =>
        Task.FromResult<string?>(null);
}
