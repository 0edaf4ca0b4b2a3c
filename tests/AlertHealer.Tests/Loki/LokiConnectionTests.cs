using System.Net;
using System.Net.Sockets;
using AlertHealer.Loki;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Loki;

public sealed class LokiConnectionTests
{
    private static readonly SignalOptions Signal = new() { Query = LokiSignalCheckTests.Query };

    [Fact]
    public async Task TheTenantIsSentAsXScopeOrgId()
    {
        await using var loki = await FakeLoki.StartAsync();
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Loki:BaseUrl"] = loki.BaseUrl.ToString(),
            ["AlertHealer:Loki:TenantId"] = "platform",
        });

        await host.Signal.ReadAsync(Signal, "calico-system", LokiSignalCheckTests.Pod, host.Token);

        Assert.Equal("platform", Assert.Single(loki.Queries).Header("X-Scope-OrgID"));
    }

    [Fact]
    public async Task ABaseUrlWithAPathKeepsThePath()
    {
        await using var loki = await FakeLoki.StartAsync();
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Loki:BaseUrl"] = new Uri(loki.BaseUrl, "/gateway").ToString(),
        });

        await host.Signal.ReadAsync(Signal, "calico-system", LokiSignalCheckTests.Pod, host.Token);

        Assert.Equal("/gateway/loki/api/v1/query", Assert.Single(loki.Requests).Path);
    }

    [Fact]
    public async Task ALokiThatIsDownIsUnavailableWithTheReasonAndCounted()
    {
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Loki:BaseUrl"] = $"http://127.0.0.1:{ClosedPort()}",
        });

        var reading = await host.DriveAsync(host.Signal.ReadAsync(Signal, "calico-system", LokiSignalCheckTests.Pod, host.Token));

        Assert.Equal(SignalState.Unavailable, reading.State);
        Assert.Null(reading.Value);
        Assert.StartsWith("Loki could not be read: ", reading.Detail, StringComparison.Ordinal);
        Assert.Contains("refused", reading.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, await host.DependencyErrorsAsync("loki", "query"));
    }

    [Fact]
    public async Task WithoutABaseUrlTheCheckIsDisabledAndAsksNobody()
    {
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>());

        var reading = await host.Signal.ReadAsync(Signal, "calico-system", LokiSignalCheckTests.Pod, host.Token);

        Assert.IsType<DisabledSignalCheck>(host.Signal);
        Assert.Equal(SignalState.Disabled, reading.State);
        Assert.Contains("AlertHealer:Loki:BaseUrl", reading.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await host.DependencyCallsAsync("loki", "query"));
    }

    // A port nothing listens on: bound, then released.
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
