using Microsoft.Extensions.Options;

namespace AlertHealer.Policies;

public sealed record Policy(string Name, PolicyOptions Options)
{
    public string TargetKey => $"{Options.Target.Namespace}/{Options.Target.Selector}";

    // Every Match label equals the alert's.
    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        Options.Match.All(m => labels.TryGetValue(m.Key, out var v) && v == m.Value);
}

// The policies in force. A reload swaps the whole set at once; callers that need several
// lookups to agree take Current once. State is stored by policy name, so a policy whose name
// is unchanged keeps its cooldown, attempts, needs-human and pause across a reload.
public sealed class PolicyCatalog
{
    private readonly Lock _gate = new();
    private readonly string _source;
    private volatile PolicySet _current;
    private PolicyConfigView _status;
    // Policies a reload removed: an alert they would have matched is told why nothing acts.
    private IReadOnlyDictionary<string, (Policy Policy, DateTimeOffset At)> _removed = new Dictionary<string, (Policy, DateTimeOffset)>();

    public PolicyCatalog(IOptions<HealerOptions> options, PolicyFileLoader loader, TimeProvider time)
    {
        var o = options.Value;
        _source = o.PolicyFile is { Length: > 0 } file ? file : "configuration";
        _current = PolicySet.From(o.Policies, loader.StartHash ?? PolicyFileLoader.HashOf(o.Policies), time.GetUtcNow());
        _status = new PolicyConfigView(_source, _current.Hash, _current.LoadedAt, true, null, null);
    }

    public PolicySet Current => _current;
    public IReadOnlyList<Policy> All => _current.All;
    public PolicyConfigView Status => _status;

    public Policy? Find(string name) => _current.Find(name);

    public Policy? Match(IReadOnlyDictionary<string, string> labels) => _current.Match(labels);

    // A policy removed by a reload that would have matched these labels.
    public (Policy Policy, DateTimeOffset At)? RemovedMatch(IReadOnlyDictionary<string, string> labels) =>
        _removed.Values.Where(r => r.Policy.Matches(labels))
            .Cast<(Policy, DateTimeOffset)?>().FirstOrDefault();

    // Returns the names of the policies that the new set no longer has.
    public IReadOnlyList<string> Apply(PolicySet next)
    {
        lock (_gate)
        {
            var removed = _current.All.Where(p => next.Find(p.Name) is null).ToList();
            var kept = _removed.Where(r => next.Find(r.Key) is null).ToDictionary();
            foreach (var p in removed) kept[p.Name] = (p, next.LoadedAt);
            _removed = kept;
            _current = next;
            _status = new PolicyConfigView(_source, next.Hash, next.LoadedAt, true, next.LoadedAt, null);
            return [.. removed.Select(p => p.Name)];
        }
    }

    public void Reject(string error, DateTimeOffset at)
    {
        lock (_gate) _status = _status with { LastReloadSuccessful = false, LastReloadAt = at, LastError = error };
    }
}
