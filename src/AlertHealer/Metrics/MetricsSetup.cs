using AlertHealer.Inbox;
using AlertHealer.Policies;
using Prometheus;

namespace AlertHealer.Metrics;

public static class MetricsSetup
{
    public static WebApplicationBuilder AddMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HealerMetrics>();
        return builder;
    }

    // Prometheus text format. Gauges that describe stored state are read at scrape time.
    public static IEndpointRouteBuilder MapMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<HealerMetrics>();
        var inbox = app.Services.GetRequiredService<IInboxStore>();
        var views = app.Services.GetRequiredService<PolicyViews>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        metrics.Initialize(app.Services.GetRequiredService<PolicyCatalog>().All.Select(p => p.Name));
        metrics.Registry.AddBeforeCollectCallback(async ct =>
        {
            var (depth, oldest, _) = await inbox.StatsAsync(ct);
            var now = time.GetUtcNow();
            metrics.InboxDepth.Set(depth);
            metrics.InboxOldest.Set(oldest is { } o ? Math.Max(0, (now - o).TotalSeconds) : 0);
            var state = await views.BuildAsync(ct);
            metrics.BreakerOpen.Set(state.Breaker.Open ? 1 : 0);
            foreach (var p in state.Policies)
            {
                metrics.NeedsHuman.WithLabels(p.Name).Set(p.NeedsHuman ? 1 : 0);
                metrics.Paused.WithLabels(p.Name).Set(p.Paused ? 1 : 0);
                metrics.CooldownSeconds.WithLabels(p.Name).Set(p.CooldownUntil is { } c && c > now ? (c - now).TotalSeconds : 0);
            }
        });
        app.MapMetrics("/metrics", metrics.Registry).WithTags("Metrics").AllowAnonymous();
        return app;
    }
}
