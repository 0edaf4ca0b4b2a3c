using AlertHealer.Inbox;
using AlertHealer.Policies;
using Microsoft.Extensions.Options;

namespace AlertHealer.Remediation;

public static class RemediationSetup
{
    public static WebApplicationBuilder AddRemediation(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HealerOptions>().Bind(builder.Configuration.GetSection(HealerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealerOptions>, HealerOptionsValidator>();
        services.AddOptions<BreakerOptions>().Bind(builder.Configuration.GetSection(BreakerOptions.Section))
            .Validate(o => o.MaxRemediations >= 1, $"{BreakerOptions.Section}:MaxRemediations must be at least 1")
            .Validate(o => o.Window > TimeSpan.Zero, $"{BreakerOptions.Section}:Window must be positive")
            .ValidateOnStart();
        services.AddOptions<InboxOptions>().Bind(builder.Configuration.GetSection(InboxOptions.Section))
            .Validate(o => o.RetryFor > TimeSpan.Zero, $"{InboxOptions.Section}:RetryFor must be positive")
            .Validate(o => o.RetryBaseDelay > TimeSpan.Zero && o.RetryMaxDelay >= o.RetryBaseDelay,
                $"{InboxOptions.Section}:RetryBaseDelay must be positive and not above RetryMaxDelay")
            .Validate(o => o.PollInterval > TimeSpan.Zero, $"{InboxOptions.Section}:PollInterval must be positive")
            .Validate(o => o.ClaimDuration >= TimeSpan.FromSeconds(3), $"{InboxOptions.Section}:ClaimDuration must be at least 00:00:03")
            .Validate(o => o.ShutdownGrace >= TimeSpan.Zero, $"{InboxOptions.Section}:ShutdownGrace must not be negative")
            .ValidateOnStart();

        services.AddSingleton<PolicyCatalog>();
        services.AddSingleton<PolicyViews>();
        services.AddSingleton<PolicyActions>();
        services.AddSingleton<TargetLocks>();
        services.AddSingleton<SafetyGates>();
        services.AddSingleton<TargetSelection>();
        services.AddSingleton<SignalGate>();
        services.AddSingleton<RemediationEvents>();
        services.AddSingleton<Escalations>();
        services.AddSingleton<RemediationEngine>();
        services.AddSingleton<ManualRemediation>();
        services.AddSingleton<RestartVerifier>();
        services.AddHostedService(sp => sp.GetRequiredService<RestartVerifier>());
        services.AddSingleton<InboxSignal>();
        services.AddSingleton<InboxProcessor>();
        services.AddSingleton<InboxClaims>();
        services.AddHostedService<InboxWorker>();
        services.AddHostedService<LeaseObserver>();
        return builder;
    }
}
