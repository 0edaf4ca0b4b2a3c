namespace AlertHealer.Policies;

public static class PolicySetup
{
    // AlertHealer:PolicyFile: policies from a mounted file, read at start and reloaded on change.
    public static WebApplicationBuilder AddPolicyReload(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PolicyFileLoader>();
        builder.Services.AddOptions<HealerOptions>().PostConfigure<PolicyFileLoader>((o, loader) => loader.UseAtStart(o));
        builder.Services.AddSingleton<PolicyFileWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PolicyFileWatcher>());
        return builder;
    }
}
