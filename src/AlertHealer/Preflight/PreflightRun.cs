namespace AlertHealer.Preflight;

// One check of one policy: Check names what was tested (rbac/<namespace>/<resource>/<verb>,
// selector/target, selector/dependency, loki/signal, alertmanager/api); Reason says why it passed or failed.
public sealed record PreflightCheck(string Policy, string Check, bool Ok, string Reason);

public sealed record PreflightRun(DateTimeOffset At, IReadOnlyList<PreflightCheck> Checks)
{
    public bool Ok => Checks.All(c => c.Ok);

    public IReadOnlyList<PreflightCheck> For(string policy) => [.. Checks.Where(c => c.Policy == policy)];
}

// What GET /policies shows of the last run for one policy.
public sealed record PreflightView(string State, DateTimeOffset CheckedAt, IReadOnlyList<PreflightCheck> Failed)
{
    public const string Ok = "ok";
    public const string CannotAct = "cannot-act";
}
