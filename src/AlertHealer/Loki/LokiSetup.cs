using AlertHealer.Outbound;
using AlertHealer.Policies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Refit;

namespace AlertHealer.Loki;

public static class LokiSetup
{
    public static WebApplicationBuilder AddLoki(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LokiOptions>()
            .Bind(builder.Configuration.GetSection(LokiOptions.Section))
            .Validate(o => !o.Enabled || OutboundHttp.IsHttpUrl(o.BaseUrl),
                $"{LokiOptions.Section}:BaseUrl must be an absolute http(s) URL like 'http://loki-gateway.loki.svc' (or empty to turn the log re-check off)")
            .Validate(o => OutboundHttp.IsValidTimeout(o.Timeout), $"{LokiOptions.Section}:Timeout must be between 100 ms and 5 minutes")
            .Validate(o => o.Retries is >= 0 and <= 10, $"{LokiOptions.Section}:Retries must be between 0 and 10")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealerOptions>, SignalOptionsValidator>());

        services.AddTransient<LokiTenantHandler>();
        services.AddRefitGeneratedClient<ILokiApi>(RefitSettings.ForJsonContext(LokiJsonContext.Default))
            .AddHttpMessageHandler<LokiTenantHandler>()
            .AddOutboundResilience(sp =>
            {
                var o = sp.GetRequiredService<IOptions<LokiOptions>>().Value;
                return (o.Enabled ? new Uri(o.BaseUrl!) : null, o.Timeout, o.Retries);
            });

        // Decided when first resolved, so configuration added by a host builder counts.
        services.AddSingleton<ISignalCheck>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LokiOptions>>().Value;
            var logger = sp.GetRequiredService<ILogger<LokiSignalCheck>>();
            if (!options.Enabled)
            {
                logger.LogWarning("{Key} is not set: policies' log signals are not re-checked in Loki", $"{LokiOptions.Section}:BaseUrl");
                return new DisabledSignalCheck();
            }
            logger.LogInformation("Loki at {BaseUrl}, tenant {Tenant}", options.BaseUrl, options.TenantId ?? "(none)");
            return ActivatorUtilities.CreateInstance<LokiSignalCheck>(sp);
        });
        return builder;
    }
}
