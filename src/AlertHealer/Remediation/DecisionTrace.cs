using AlertHealer.Audit;
using AlertHealer.Kubernetes;

namespace AlertHealer.Remediation;

// Collects the steps of one decision as they happen.
public sealed class DecisionTrace
{
    private readonly List<DecisionStep> _steps = [];

    public IReadOnlyList<DecisionStep> Steps => _steps;

    public void Add(DecisionStep step) => _steps.Add(step);

    public void Add(string name, string result, string detail, IEnumerable<PodInfo>? pods = null) =>
        _steps.Add(new DecisionStep(name, result, detail,
            pods?.Select(p => new ObservedPod(p.Name, p.Uid, p.Ready, p.ReadySince, p.Controlled)).ToList()));
}
