using AlertHealer.Outbound;
using Microsoft.Extensions.Options;
using Refit;

namespace AlertHealer.Alertmanager;

public static class AlertmanagerSetup
{
    public static WebApplicationBuilder AddAlertmanager(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AlertmanagerOptions>()
            .Bind(builder.Configuration.GetSection(AlertmanagerOptions.Section))
            .Validate(o => !o.Enabled || OutboundHttp.IsHttpUrl(o.BaseUrl),
                $"{AlertmanagerOptions.Section}:BaseUrl must be an absolute http(s) URL like 'http://alertmanager.monitoring.svc:9093' (or empty to turn escalation off)")
            .Validate(o => string.IsNullOrWhiteSpace(o.ExternalUrl) || OutboundHttp.IsHttpUrl(o.ExternalUrl),
                $"{AlertmanagerOptions.Section}:ExternalUrl must be an absolute http(s) URL (or empty)")
            .Validate(o => OutboundHttp.IsValidTimeout(o.Timeout), $"{AlertmanagerOptions.Section}:Timeout must be between 100 ms and 5 minutes")
            .Validate(o => o.Retries is >= 0 and <= 10, $"{AlertmanagerOptions.Section}:Retries must be between 0 and 10")
            .ValidateOnStart();

        var settings = RefitSettings.ForJsonContext(AlertmanagerJsonContext.Default);
        // A byte array body can be sent again by a retry.
        settings.RequestBodySerialization = RequestBodySerializationMode.Buffered;
        services.AddRefitGeneratedClient<IAlertmanagerApi>(settings)
            .AddOutboundResilience(
                sp =>
                {
                    var o = sp.GetRequiredService<IOptions<AlertmanagerOptions>>().Value;
                    return (o.Enabled ? new Uri(o.BaseUrl!) : null, o.Timeout, o.Retries);
                },
                // Each post creates another silence; a lost answer must not become two silences.
                neverRetry: r => r.RequestUri?.AbsolutePath.EndsWith(IAlertmanagerApi.SilencesPath, StringComparison.Ordinal) == true);

        // Decided when first resolved, so configuration added by a host builder counts.
        services.AddSingleton<IEscalator>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AlertmanagerOptions>>().Value;
            var logger = sp.GetRequiredService<ILogger<AlertmanagerEscalator>>();
            if (!options.Enabled)
            {
                logger.LogWarning("{Key} is not set: escalations are not sent to Alertmanager", $"{AlertmanagerOptions.Section}:BaseUrl");
                return new DisabledEscalator();
            }
            logger.LogInformation("Escalations go to Alertmanager at {BaseUrl}", options.BaseUrl);
            return ActivatorUtilities.CreateInstance<AlertmanagerEscalator>(sp);
        });
        services.AddHostedService<EscalationRefresher>();
        return builder;
    }
}
