using AlertHealer.Alertmanager;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Loki;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AlertHealer.Tests.Alertmanager;

public sealed class AlertmanagerSetupTests
{
    private static readonly Escalation Stuck = new("whisker", EscalationReasons.BreakerOpen, "calico-system/k8s-app=whisker", "breaker open", "6 restarts in 1h");

    [Theory]
    [InlineData("AlertHealer:Alertmanager:BaseUrl", "alertmanager.monitoring.svc:9093")]
    [InlineData("AlertHealer:Alertmanager:BaseUrl", "/api/v2")]
    [InlineData("AlertHealer:Alertmanager:ExternalUrl", "alerthealer")]
    [InlineData("AlertHealer:Alertmanager:Timeout", "-00:00:01")]
    [InlineData("AlertHealer:Alertmanager:Retries", "-1")]
    public async Task ABadSettingStopsStartupNamingTheKey(string key, string value)
    {
        await using var app = ClientHost.Build(new Dictionary<string, string?>
        {
            ["AlertHealer:Alertmanager:BaseUrl"] = "http://alertmanager.monitoring.svc:9093",
            [key] = value,
        });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Contains(key, ClientHost.Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDefaultsAreTenSecondsTwoRetriesAndNoSilencing()
    {
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?> { ["AlertHealer:Alertmanager:BaseUrl"] = "http://alertmanager:9093" });

        var options = host.Services.GetRequiredService<IOptions<AlertmanagerOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(2, options.Retries);
        Assert.False(options.SilenceStaleAlerts);
        Assert.Null(options.ExternalUrl);
        Assert.IsType<AlertmanagerEscalator>(host.Escalator);
        Assert.Single(host.Services.GetServices<IHostedService>().OfType<EscalationRefresher>());
    }

    [Fact]
    public async Task WithoutABaseUrlEscalationIsOffAndSendsNothing()
    {
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>());

        await host.Escalator.RaiseAsync(Stuck, host.Token);
        await host.Escalator.RefreshAsync(host.Token);
        await host.Escalator.ResolveAsync("whisker", host.Token);
        var silence = await host.Escalator.SilenceAsync(new Dictionary<string, string> { ["alertname"] = "X" }, host.Time.GetUtcNow().AddHours(1), "x", host.Token);

        Assert.IsType<DisabledEscalator>(host.Escalator);
        Assert.Null(silence);
        Assert.Equal(0, await host.DependencyCallsAsync("alertmanager", "post alerts"));
    }

    [Fact]
    public async Task AnAlertmanagerThatIsDownThrowsNothing()
    {
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Alertmanager:BaseUrl"] = $"http://127.0.0.1:{LokiConnectionTests.ClosedPort()}",
        });
        var escalator = host.Escalator;

        await host.DriveAsync(escalator.RaiseAsync(Stuck, host.Token));
        await host.DriveAsync(escalator.RefreshAsync(host.Token));
        await host.DriveAsync(escalator.ResolveAsync("whisker", host.Token));
        var silence = await host.DriveAsync(escalator.SilenceAsync(
            new Dictionary<string, string> { ["alertname"] = "WhiskerBackendWedged" }, host.Time.GetUtcNow().AddHours(1), "stale", host.Token));

        Assert.Null(silence);
        Assert.Equal(3, await host.DependencyErrorsAsync("alertmanager", "post alerts"));
        Assert.Equal(1, await host.DependencyErrorsAsync("alertmanager", "post silence"));
    }

    [Fact]
    public async Task WithNoRetriesAFailedAlertPostIsSentOnce()
    {
        await using var alertmanager = await FakeAlertmanager.StartAsync();
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Alertmanager:BaseUrl"] = alertmanager.BaseUrl.ToString(),
            ["AlertHealer:Alertmanager:Retries"] = "0",
        });
        alertmanager.FailNext(1);

        await host.DriveAsync(host.Escalator.RaiseAsync(Stuck, host.Token));

        Assert.Single(alertmanager.AlertPosts);
    }
}
