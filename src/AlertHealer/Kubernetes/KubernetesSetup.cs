using k8s;
using Microsoft.Extensions.Options;

namespace AlertHealer.Kubernetes;

public static class KubernetesSetup
{
    public static WebApplicationBuilder AddKubernetes(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KubernetesOptions>()
            .Bind(builder.Configuration.GetSection(KubernetesOptions.Section))
            .Validate(o => o.CallTimeout > TimeSpan.Zero, $"{KubernetesOptions.Section}:CallTimeout must be positive")
            .Validate(o => o.ReadRetries is >= 0 and <= 10, $"{KubernetesOptions.Section}:ReadRetries must be between 0 and 10")
            .Validate(o => o.LeaseDuration >= TimeSpan.FromSeconds(5), $"{KubernetesOptions.Section}:LeaseDuration must be at least 5 seconds")
            .Validate(o => !string.IsNullOrWhiteSpace(o.LeaseNamespace) && !string.IsNullOrWhiteSpace(o.Identity),
                $"{KubernetesOptions.Section}:LeaseNamespace and {KubernetesOptions.Section}:Identity must be set")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KubernetesOptions>, ClusterConfigValidator>();

        builder.Services.AddSingleton<SimulatedCluster>();
        // The configuration is resolved once, here; Simulated is the only mode without a client.
        builder.Services.AddSingleton<IKubernetes>(sp =>
        {
            var (mode, config, error) = Resolve(sp.GetRequiredService<IOptions<KubernetesOptions>>().Value);
            if (config is null) throw new InvalidOperationException(error ?? "the simulated cluster has no API client");
            sp.GetRequiredService<ILogger<KubernetesClusterClient>>().LogInformation("Kubernetes mode {Mode}, API server {Host}", mode, config.Host);
            return new WatchingKubernetes(config, new Outbound.UserAgentHandler());
        });
        builder.Services.AddSingleton<ITargetLease>(sp =>
            IsSimulated(sp) ? new InProcessLease() : ActivatorUtilities.CreateInstance<KubernetesLease>(sp));
        builder.Services.AddSingleton<IPodEvents>(sp =>
            IsSimulated(sp) ? ActivatorUtilities.CreateInstance<LoggedPodEvents>(sp)
            : ActivatorUtilities.CreateInstance<KubernetesPodEvents>(sp, sp.GetRequiredService<IKubernetes>()));
        builder.Services.AddSingleton<KubernetesCalls>();
        builder.Services.AddSingleton<Health.SelfEvents>();
        builder.Services.AddSingleton<IClusterClient>(sp =>
        {
            if (!IsSimulated(sp)) return ActivatorUtilities.CreateInstance<KubernetesClusterClient>(sp, sp.GetRequiredService<IKubernetes>());
            sp.GetRequiredService<ILogger<KubernetesClusterClient>>().LogWarning("Kubernetes mode is Simulated: no real cluster is touched");
            return sp.GetRequiredService<SimulatedCluster>();
        });
        return builder;
    }

    private static bool IsSimulated(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<KubernetesOptions>>().Value.Mode == ClusterMode.Simulated;

    // Picks the cluster configuration; never falls back to the simulated cluster on its own.
    public static (ClusterMode Mode, KubernetesClientConfiguration? Config, string? Error) Resolve(KubernetesOptions options)
    {
        var kubeconfig = options.Kubeconfig is { Length: > 0 } path ? path
            : Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } env ? env.Split(Path.PathSeparator)[0]
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        try
        {
            switch (options.Mode)
            {
                case ClusterMode.Simulated:
                    return (ClusterMode.Simulated, null, null);
                case ClusterMode.InCluster:
                    return (ClusterMode.InCluster, KubernetesClientConfiguration.InClusterConfig(), null);
                case ClusterMode.Kubeconfig when File.Exists(kubeconfig):
                case ClusterMode.Auto when !KubernetesClientConfiguration.IsInCluster() && File.Exists(kubeconfig):
                    return (ClusterMode.Kubeconfig, KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig), null);
                case ClusterMode.Auto when KubernetesClientConfiguration.IsInCluster():
                    return (ClusterMode.InCluster, KubernetesClientConfiguration.InClusterConfig(), null);
                default:
                    return (options.Mode, null,
                        $"No Kubernetes configuration found for {KubernetesOptions.Section}:Mode={options.Mode}: not running in a pod and no kubeconfig at '{kubeconfig}'. " +
                        $"Set {KubernetesOptions.Section}:Kubeconfig (or KUBECONFIG), run inside the cluster, or start with --demo for the simulated cluster.");
            }
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException)
        {
            return (options.Mode, null, $"{KubernetesOptions.Section}:Mode={options.Mode}: the cluster configuration could not be loaded: {ex.Message}");
        }
    }

    // Stops startup with a message that says what to set when no cluster can be reached.
    private sealed class ClusterConfigValidator : IValidateOptions<KubernetesOptions>
    {
        public ValidateOptionsResult Validate(string? name, KubernetesOptions options) =>
            Resolve(options).Error is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
    }
}
