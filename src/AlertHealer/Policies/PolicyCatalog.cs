using Microsoft.Extensions.Options;

namespace AlertHealer.Policies;

public sealed record Policy(string Name, PolicyOptions Options)
{
    public string TargetKey => $"{Options.Target.Namespace}/{Options.Target.Selector}";
}

public sealed class PolicyCatalog(IOptions<HealerOptions> options)
{
    public IReadOnlyList<Policy> All { get; } = options.Value.Policies
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => new Policy(p.Key, p.Value))
        .ToList();

    public Policy? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    // First policy (by name) whose Match labels all equal the alert's labels.
    public Policy? Match(IReadOnlyDictionary<string, string> labels) =>
        All.FirstOrDefault(p => p.Options.Match.All(m => labels.TryGetValue(m.Key, out var v) && v == m.Value));
}
