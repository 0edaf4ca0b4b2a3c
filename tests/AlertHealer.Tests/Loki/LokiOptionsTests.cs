using AlertHealer.Loki;
using AlertHealer.Policies;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertHealer.Tests.Loki;

public sealed class LokiOptionsTests
{
    [Theory]
    [InlineData("AlertHealer:Loki:BaseUrl", "loki-gateway.loki.svc")]
    [InlineData("AlertHealer:Loki:BaseUrl", "ftp://loki.example")]
    [InlineData("AlertHealer:Loki:Timeout", "00:00:00")]
    [InlineData("AlertHealer:Loki:Timeout", "01:00:00")]
    [InlineData("AlertHealer:Loki:Retries", "-1")]
    [InlineData("AlertHealer:Loki:Retries", "11")]
    public async Task ABadSettingStopsStartupNamingTheKey(string key, string value)
    {
        await using var app = ClientHost.Build(new Dictionary<string, string?>
        {
            ["AlertHealer:Loki:BaseUrl"] = "http://loki.example:3100",
            [key] = value,
        });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Contains(key, ClientHost.Messages(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00.1", "0")]
    [InlineData("00:05:00", "10")]
    public async Task TheOuterLimitsStillStart(string timeout, string retries)
    {
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Loki:BaseUrl"] = "http://loki.example:3100",
            ["AlertHealer:Loki:Timeout"] = timeout,
            ["AlertHealer:Loki:Retries"] = retries,
        });

        Assert.IsType<LokiSignalCheck>(host.Signal);
    }

    [Fact]
    public async Task TheDefaultsAreTenSecondsAndTwoRetries()
    {
        await using var host = await ClientHost.StartAsync(new Dictionary<string, string?> { ["AlertHealer:Loki:BaseUrl"] = "https://loki.example" });

        var options = host.Services.GetRequiredService<IOptions<LokiOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(2, options.Retries);
        Assert.IsType<LokiSignalCheck>(host.Signal);
    }

    [Fact]
    public void APolicysSignalIsBoundWithItsDefaults()
    {
        var options = BindPolicies(new Dictionary<string, string?> { ["AlertHealer:Policies:whisker:Signal:Query"] = "sum(x)" });

        var signal = options.Policies["whisker"].Signal!;

        Assert.Equal("sum(x)", signal.Query);
        Assert.Equal(10, signal.Threshold);
        Assert.True(signal.FailOpen);
        Assert.Null(signal.VerifyAfter);
    }

    [Fact]
    public void ABadSignalIsRefusedNamingEachKey()
    {
        var options = BindPolicies(new Dictionary<string, string?>
        {
            ["AlertHealer:Policies:whisker:Signal:Query"] = " ",
            ["AlertHealer:Policies:whisker:Signal:Threshold"] = "0",
            ["AlertHealer:Policies:whisker:Signal:VerifyAfter"] = "-00:01:00",
        });

        var result = new SignalOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("AlertHealer:Policies:whisker:Signal:Query ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("AlertHealer:Policies:whisker:Signal:Threshold ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("AlertHealer:Policies:whisker:Signal:VerifyAfter ", StringComparison.Ordinal));
    }

    [Fact]
    public void APolicyWithoutASignalIsFine()
    {
        var options = BindPolicies(new Dictionary<string, string?> { ["AlertHealer:Policies:whisker:Cooldown"] = "00:10:00" });

        Assert.False(new SignalOptionsValidator().Validate(null, options).Failed);
    }

    [Fact]
    public async Task TheSignalValidatorRunsWithThePolicyValidation()
    {
        await using var app = ClientHost.Build(new Dictionary<string, string?>());

        var validators = app.Services.GetServices<IValidateOptions<HealerOptions>>();

        Assert.Single(validators.OfType<SignalOptionsValidator>());
    }

    private static HealerOptions BindPolicies(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return config.GetSection(HealerOptions.Section).Get<HealerOptions>()!;
    }
}
