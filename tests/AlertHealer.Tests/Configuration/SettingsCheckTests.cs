using AlertHealer.Configuration;
using AlertHealer.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlertHealer.Tests.Configuration;

// SettingsCheck as code that re-reads settings later (a reloaded policy file) calls it.
public sealed class SettingsCheckTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).Build();

    [Fact]
    public void EveryProblemIsNamedAndAGoodPolicyHasNone()
    {
        var problems = SettingsCheck.Problems(Settings(
            ("AlertHealer:Policies:whisker:Match:alertname", "WhiskerBackendWedged"),
            ("AlertHealer:Policies:whisker:MaxAttempts", "three"),
            ("AlertHealer:Policies:canary:Signal:VerifyAfter", "5m"),
            ("AlertHealer:Policies:canary:Signal:Treshold", "10"),
            ("Logging:LogLevel:Default", "Debug")));

        Assert.Equal(
        [
            "AlertHealer:Policies:canary:Signal:Treshold is not a setting; did you mean AlertHealer:Policies:canary:Signal:Threshold?",
            "AlertHealer:Policies:canary:Signal:VerifyAfter: '5m' is not a duration written [d.]hh:mm:ss, e.g. 00:10:00 for ten minutes",
            "AlertHealer:Policies:whisker:MaxAttempts: 'three' is not a whole number",
        ], problems.Order(StringComparer.Ordinal).ToList());
        Assert.Empty(SettingsCheck.Problems(Settings(("AlertHealer:Policies:whisker:Signal:VerifyAfter", "00:05:00"), ("alerthealer:policies:whisker:maxattempts", "3"))));
    }

    [Fact]
    public void ValidateRunsTheValidatorsAStartRuns()
    {
        var services = new ServiceCollection().AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>().BuildServiceProvider();

        var problems = SettingsCheck.Validate(services, new LimitsOptions { MaxAlerts = 0 });

        Assert.Equal(["AlertHealer:Limits:MaxAlerts must be between 1 and 10000"], problems);
        Assert.Empty(SettingsCheck.Validate(services, new LimitsOptions()));
    }
}
