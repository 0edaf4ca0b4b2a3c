namespace AlertHealer.Policies;

// One applied set of policies. A decision takes the set once and keeps it to the end, so a
// reload never changes a policy under a decision in flight.
public sealed record PolicySet(IReadOnlyList<Policy> All, string Hash, DateTimeOffset LoadedAt)
{
    public Policy? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    // First policy (by name) whose Match labels all equal the alert's labels.
    public Policy? Match(IReadOnlyDictionary<string, string> labels) =>
        All.FirstOrDefault(p => p.Matches(labels));

    public static PolicySet From(IReadOnlyDictionary<string, PolicyOptions> policies, string hash, DateTimeOffset loadedAt) =>
        new([.. policies.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Policy(p.Key, p.Value))], hash, loadedAt);
}

// Where the policies come from and how the last reload went, for GET /policies and the page.
public sealed record PolicyConfigView(
    string Source,
    string Hash,
    DateTimeOffset LoadedAt,
    bool LastReloadSuccessful,
    DateTimeOffset? LastReloadAt,
    string? LastError);
