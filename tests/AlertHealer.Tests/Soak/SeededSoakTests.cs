using Xunit.Abstractions;

namespace AlertHealer.Tests.Soak;

// The real service as a process under a seeded storm of faults: lost and stalled Kubernetes
// answers, 5xx, cut watches, a flapping dependency, a locked or full store, SIGKILLs at the
// worst moments, re-sends and resolutions. Then every promise is checked on what happened.
// ALERTHEALER_SOAK_SEED / ALERTHEALER_SOAK_SECONDS pick another run (benchmarks/soak.sh).
[Trait("Category", "Soak")]
public sealed class SeededSoakTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task SeededSoakKeepsEveryInvariant(string store)
    {
        var settings = SoakSettings.FromEnvironment() with { Store = store };
        var report = await SoakRun.RunAsync(settings);
        output.WriteLine(report.Summary());

        // A run that did nothing proves nothing.
        Assert.True(report.AcknowledgedAlerts >= 10, $"only {report.AcknowledgedAlerts} alerts were acknowledged\n{report.Summary()}");
        Assert.True(report.SuccessfulDeletes >= 1, $"no delete went through\n{report.Summary()}");
        Assert.True(report.InjectedFaults >= 1 || !settings.Faults, $"no fault was injected\n{report.Summary()}");
        Assert.True(report.Violations.Count == 0, report.Explain());
    }
}
