using AlertHealer.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertHealer.Tests.Security;

// Built on a bare host rather than the whole app: a host that fails to start under the test
// factory sometimes surfaces as ObjectDisposedException instead of the validation error.
public sealed class LimitsOptionsTests
{
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddEdgeProtection();
        return builder.Build();
    }

    [Theory]
    [InlineData("AlertHealer:Limits:WebhookBodyBytes", "0")]
    [InlineData("AlertHealer:Limits:RemediateBodyBytes", "100")]
    [InlineData("AlertHealer:Limits:SimulateBodyBytes", "1000000000")]
    [InlineData("AlertHealer:Limits:DefaultBodyBytes", "-1")]
    [InlineData("AlertHealer:Limits:MaxAlerts", "0")]
    [InlineData("AlertHealer:Limits:ManualPerMinute", "0")]
    [InlineData("AlertHealer:Limits:WebhookPerMinute", "-1")]
    public async Task BadLimitStopsStartupNamingTheKey(string key, string value)
    {
        await using var app = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(key, error.Message);
    }

    [Fact]
    public async Task DefaultsAreTheDocumentedLimits()
    {
        await using var app = Build([]);
        await app.StartAsync();

        var limits = app.Services.GetRequiredService<IOptions<LimitsOptions>>().Value;

        Assert.Equal(1024 * 1024, limits.WebhookBodyBytes);
        Assert.Equal(16 * 1024, limits.RemediateBodyBytes);
        Assert.Equal(256 * 1024, limits.SimulateBodyBytes);
        Assert.Equal(200, limits.MaxAlerts);
        Assert.Equal(10, limits.ManualPerMinute);
        await app.StopAsync();
    }
}
