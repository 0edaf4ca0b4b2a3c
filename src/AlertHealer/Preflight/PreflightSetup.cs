using AlertHealer.Kubernetes;
using Microsoft.Extensions.Options;

namespace AlertHealer.Preflight;

public static class PreflightSetup
{
    public static WebApplicationBuilder AddPreflight(this WebApplicationBuilder builder, bool command = false)
    {
        var services = builder.Services;
        services.AddOptions<PreflightOptions>()
            .Bind(builder.Configuration.GetSection(PreflightOptions.Section))
            .Validate(o => o.Interval >= TimeSpan.FromSeconds(30) && o.Interval <= TimeSpan.FromDays(1),
                $"{PreflightOptions.Section}:Interval must be between 00:00:30 and 1.00:00:00")
            .ValidateOnStart();
        services.AddSingleton<IAccessReview>(sp =>
            sp.GetRequiredService<IOptions<KubernetesOptions>>().Value.Mode == ClusterMode.Simulated
                ? new SimulatedAccessReview()
                : ActivatorUtilities.CreateInstance<KubernetesAccessReview>(sp, sp.GetRequiredService<k8s.IKubernetes>()));
        services.AddSingleton<AlertmanagerProbe>();
        services.AddSingleton<PreflightChecks>();
        services.AddSingleton<PreflightState>();
        if (command)
        {
            // The table is the command's output; the log goes to stderr.
            builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        else
        {
            services.AddHostedService<PreflightService>();
        }
        return builder;
    }
}
