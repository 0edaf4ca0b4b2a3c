using FluentValidation;

namespace AlertHealer.Webhooks;

public sealed class AlertmanagerWebhookValidator : AbstractValidator<AlertmanagerWebhook>
{
    public const int MaxAlerts = 1000;

    public AlertmanagerWebhookValidator()
    {
        // Stop at a field's first failure, so later checks never see a null.
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(x => x.Version).NotEmpty().Equal("4").WithMessage("Only Alertmanager webhook payload version \"4\" is understood.");
        RuleFor(x => x.Status).NotEmpty().Must(BeAStatus).WithMessage("'status' must be \"firing\" or \"resolved\".");
        RuleFor(x => x.Alerts).NotEmpty().WithMessage("'alerts' must contain at least one alert.")
            .Must(a => a!.Count <= MaxAlerts).WithMessage($"At most {MaxAlerts} alerts per delivery.");
        RuleForEach(x => x.Alerts).NotNull().WithMessage("An alert must be an object.").SetValidator(new AlertValidator()!);
    }

    internal static bool BeAStatus(string? status) => status is "firing" or "resolved";

    private sealed class AlertValidator : AbstractValidator<AlertmanagerAlert>
    {
        public AlertValidator()
        {
            RuleLevelCascadeMode = CascadeMode.Stop;
            RuleFor(x => x.Status).NotEmpty().Must(BeAStatus).WithMessage("'status' must be \"firing\" or \"resolved\".");
            RuleFor(x => x.Labels).NotNull().WithMessage("'labels' is required.");
            RuleFor(x => x.Labels!).Must(l => l.TryGetValue("alertname", out var n) && !string.IsNullOrWhiteSpace(n))
                .When(x => x.Labels is not null)
                .OverridePropertyName("labels.alertname").WithMessage("'labels.alertname' is required.");
            RuleFor(x => x.StartsAt).NotNull().WithMessage("'startsAt' is required.")
                .Must(t => t!.Value.Year > 1).WithMessage("'startsAt' must be a real time.");
            RuleFor(x => x.Fingerprint).NotEmpty().Matches("^[0-9a-f]{1,64}$")
                .WithMessage("'fingerprint' must be Alertmanager's hexadecimal fingerprint.");
            RuleFor(x => x.EndsAt).Must((alert, ends) => alert.StillFiring || ends >= alert.StartsAt)
                .When(x => x.StartsAt is not null).WithMessage("'endsAt' must not be before 'startsAt'.");
        }
    }
}
