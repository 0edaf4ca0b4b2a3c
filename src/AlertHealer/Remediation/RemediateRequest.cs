using AlertHealer.Audit;
using FluentValidation;

namespace AlertHealer.Remediation;

public sealed record RemediateRequest(string? Policy, string? Reason, bool DryRun = false);

public sealed record RemediateResponse(long AuditId, string Outcome, bool DryRun, PodAction? Action, IReadOnlyList<DecisionStep> Steps, string? Error)
{
    public static RemediateResponse From(AuditEntry e) => new(e.Id, e.Outcome, e.DryRun, e.Action, e.Steps, e.Error);
}

public sealed class RemediateRequestValidator : AbstractValidator<RemediateRequest>
{
    public RemediateRequestValidator()
    {
        RuleFor(x => x.Policy).NotEmpty().WithMessage("'policy' names the policy to run, e.g. \"whisker\".")
            .MaximumLength(63).Matches(@"^[a-z0-9-]+\z").WithMessage("'policy' is a policy name (lowercase letters, digits, '-').");
        RuleFor(x => x.Reason).NotEmpty().WithMessage("'reason' says why, for the audit log.").MaximumLength(500);
    }
}

public sealed record SimulatedAlert(string Fingerprint, string Status, string Outcome, string? Policy, bool WouldBeDuplicate, IReadOnlyList<DecisionStep> Steps);

public sealed record SimulateResponse(IReadOnlyList<SimulatedAlert> Alerts);
