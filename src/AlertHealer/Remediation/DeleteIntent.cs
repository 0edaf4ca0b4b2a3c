using AlertHealer.Audit;
using AlertHealer.Kubernetes;

namespace AlertHealer.Remediation;

// What a decision chose to delete, stored before the DELETE is sent. A retry, a recovery after
// a crash or a takeover by another replica re-sends exactly this DELETE (same uid precondition)
// and never selects a target again: the first answer may have been lost after the pod was deleted.
public sealed record DeleteIntent(
    string Policy,
    string Namespace,
    string Pod,
    string Uid,
    DateTimeOffset DecidedAt,
    IReadOnlyList<DecisionStep> Steps)
{
    // The pod as read now still has this uid and is not terminating: no DELETE of it has landed.
    public bool NotLandedOn(PodInfo? pod) => pod is { Terminating: false } && pod.Uid == Uid;
}

// How a decision makes its intent durable, and sees intents of other decisions not yet confirmed.
public sealed record IntentScope(Func<DeleteIntent, Task> Record, Func<string, Task<DeleteIntent?>> Unconfirmed);
