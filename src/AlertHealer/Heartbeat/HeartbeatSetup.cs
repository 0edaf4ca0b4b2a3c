using AlertHealer.Metrics;
using Microsoft.Extensions.Options;

namespace AlertHealer.Heartbeat;

public static class HeartbeatSetup
{
    public static WebApplicationBuilder AddDetectionHeartbeat(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HeartbeatOptions>()
            .Bind(builder.Configuration.GetSection(HeartbeatOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HeartbeatOptions>, HeartbeatOptionsValidator>();
        builder.Services.AddSingleton<DetectionHeartbeat>();
        builder.Services.AddHostedService<HeartbeatMonitor>();
        return builder;
    }

    // The heartbeat's gauges, read from the store at scrape time. Before the first heartbeat the
    // age is +Inf: never is not healthy, and `age > limit` holds.
    public static WebApplication MapDetectionHeartbeat(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<HealerMetrics>();
        var heartbeat = app.Services.GetRequiredService<DetectionHeartbeat>();
        metrics.HeartbeatStaleAfter.Set(app.Services.GetRequiredService<IOptions<HeartbeatOptions>>().Value.Limit.TotalSeconds);
        metrics.Registry.AddBeforeCollectCallback(async ct =>
            metrics.HeartbeatAge.Set((await heartbeat.ViewAsync(ct)).AgeSeconds ?? double.PositiveInfinity));
        return app;
    }
}
