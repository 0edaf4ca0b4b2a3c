namespace AlertHealer.Release;

public static class ReleaseSetup
{
    // Registered before the store, so the build is announced before the schema is touched.
    public static WebApplicationBuilder AddBuildInfo(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<BuildAnnouncement>();
        return builder;
    }
}
