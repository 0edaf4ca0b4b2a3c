using AlertHealer.Security;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace AlertHealer.Webhooks;

public sealed class AlertmanagerWebhookValidator : AbstractValidator<AlertmanagerWebhook>
{
    public AlertmanagerWebhookValidator(IOptions<LimitsOptions> limits, TimeProvider time)
    {
        var maxAlerts = limits.Value.MaxAlerts;
        // Stop at a field's first failure, so later checks never see a null.
        RuleLevelCascadeMode = CascadeMode.Stop;
        RuleFor(x => x.Version).NotEmpty().Must(v => v is AlertmanagerWebhook.AlertmanagerVersion or AlertmanagerWebhook.GrafanaVersion)
            .WithMessage("Only Alertmanager's webhook payload version \"4\" and Grafana Alerting's version \"1\" are understood.");
        RuleFor(x => x.Status).NotEmpty().Must(BeAStatus).WithMessage("'status' must be \"firing\" or \"resolved\".");
        // Grafana's webhook contact point always sends its organisation and the group's state,
        // derived from the same alerts as 'status'. A version "1" body without them is not Grafana's.
        When(x => x.FromGrafana, () =>
        {
            RuleFor(x => x.OrgId).NotNull().WithMessage("'orgId' is required in Grafana's webhook (version \"1\").")
                .GreaterThan(0).WithMessage("'orgId' must be a Grafana organisation id (1 or more).");
            RuleFor(x => x.State).NotEmpty().WithMessage("'state' is required in Grafana's webhook (version \"1\").")
                .Must((body, state) => state == GrafanaState(body.Status))
                .WithMessage("'state' must be \"alerting\" when 'status' is \"firing\" and \"ok\" when it is \"resolved\".");
        });
        RuleFor(x => x.Alerts).NotEmpty().WithMessage("'alerts' must contain at least one alert.")
            .Must(a => a!.Count <= maxAlerts).WithMessage($"At most {maxAlerts} alerts per delivery.");
        RuleForEach(x => x.Alerts).NotNull().WithMessage("An alert must be an object.").SetValidator(new AlertValidator(time)!);
        RuleFor(x => x.GroupLabels).Labels();
        RuleFor(x => x.CommonLabels).Labels();
        RuleFor(x => x.CommonAnnotations).Annotations();
    }

    internal static bool BeAStatus(string? status) => status is "firing" or "resolved";

    // Grafana's notifier: "alerting" if any alert of the group fires, else "ok".
    private static string? GrafanaState(string? status) => status switch { "firing" => "alerting", "resolved" => "ok", _ => null };

    private sealed class AlertValidator : AbstractValidator<AlertmanagerAlert>
    {
        public AlertValidator(TimeProvider time)
        {
            RuleLevelCascadeMode = CascadeMode.Stop;
            RuleFor(x => x.Status).NotEmpty().Must(BeAStatus).WithMessage("'status' must be \"firing\" or \"resolved\".");
            RuleFor(x => x.Labels).NotNull().WithMessage("'labels' is required.");
            RuleFor(x => x.Labels!).Must(l => l.TryGetValue("alertname", out var n) && !string.IsNullOrWhiteSpace(n))
                .When(x => x.Labels is not null)
                .OverridePropertyName("labels.alertname").WithMessage("'labels.alertname' is required.");
            RuleFor(x => x.Labels).Labels();
            RuleFor(x => x.Annotations).Annotations();
            // Far-future or prehistoric times are refused rather than stored: they would decide
            // cooldowns and incident keys.
            RuleFor(x => x.StartsAt).NotNull().WithMessage("'startsAt' is required.")
                .Must(t => t >= AlertLimits.Earliest).WithMessage("'startsAt' must be a real time.")
                .Must(t => t <= time.GetUtcNow() + AlertLimits.MaxClockSkew).WithMessage("'startsAt' must not be in the future.");
            RuleFor(x => x.Fingerprint).NotEmpty().Matches(@"^[0-9a-f]{1,64}\z")
                .WithMessage("'fingerprint' must be Alertmanager's hexadecimal fingerprint.");
            RuleFor(x => x.EndsAt).Must((alert, ends) => alert.StillFiring || ends >= alert.StartsAt)
                .When(x => x.StartsAt is not null).WithMessage("'endsAt' must not be before 'startsAt'.")
                .Must((alert, ends) => alert.StillFiring || ends <= time.GetUtcNow() + AlertLimits.MaxClockSkew)
                .WithMessage("'endsAt' must not be in the future.");
        }
    }
}
