using Xunit.Abstractions;

namespace AlertHealer.Tests.Soak;

// Two real processes on one PostgreSQL under a seeded storm: each paused past its claims and the
// Lease, cut from the database or the API server, its commits left in doubt, killed at the worst
// moments, its clock skewed against the other; PostgreSQL stopped and locked; the single-replica
// faults besides. Then every promise is checked across both replicas.
// REPLICAS=2 ALERTHEALER_SOAK_SEED=… ALERTHEALER_SOAK_SECONDS=… bash benchmarks/soak.sh picks another run.
[Trait("Category", "Soak")]
public sealed class TwoReplicaSoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoReplicaSoakKeepsEveryInvariant()
    {
        var settings = SoakSettings.TwoReplicasFromEnvironment();
        var report = await ReplicaSoakRun.RunAsync(settings);
        output.WriteLine(report.Summary());

        Assert.True(report.AcknowledgedAlerts >= 10, $"only {report.AcknowledgedAlerts} alerts were acknowledged\n{report.Summary()}");
        Assert.True(report.SuccessfulDeletes >= 1, $"no delete went through\n{report.Summary()}");
        Assert.True(report.Observed.Starts.Select(s => report.Observed.ReplicaOf.GetValueOrDefault(s.Generation)).Distinct().Count() == 2, $"both replicas must have run\n{report.Summary()}");
        Assert.True(report.Violations.Count == 0, report.Explain());
    }
}
