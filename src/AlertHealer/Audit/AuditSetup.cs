using AlertHealer.Configuration;

namespace AlertHealer.Audit;

public static class AuditSetup
{
    public static WebApplicationBuilder AddAuditRetention(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().Bind(builder.Configuration.GetSection(RetentionOptions.Section))
            .Configure(o => { foreach (var old in RenamedSettings.OldSections(builder.Configuration, RetentionOptions.Section)) old.Bind(o); })
            .Validate(o => o.Retention >= TimeSpan.FromHours(1), $"{RetentionOptions.Section}:Retention must be at least 01:00:00 (it bounds the breaker's and the incidents' memory)")
            .Validate(o => o.InboxKeepDone >= TimeSpan.Zero, $"{RetentionOptions.Section}:InboxKeepDone must not be negative")
            .Validate(o => o.PruneInterval > TimeSpan.Zero, $"{RetentionOptions.Section}:PruneInterval must be positive")
            .Validate(o => o.PruneBatch is >= 1 and <= 100_000, $"{RetentionOptions.Section}:PruneBatch must be between 1 and 100000")
            .ValidateOnStart();
        builder.Services.AddSingleton<AuditRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditRetention>());
        return builder;
    }
}
