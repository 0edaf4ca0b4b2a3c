using System.Net;
using System.Net.Http.Json;
using AlertHealer.Tests.Infrastructure;
using static AlertHealer.Tests.Policies.ConfigMapVolume;

namespace AlertHealer.Tests.Policies;

// Two replicas on one PostgreSQL store: each reloads its own mounted file, and the state they
// share (stored by policy name) is kept by both across their reloads.
public sealed class PolicyReloadReplicaTests
{
    [Fact]
    public async Task EachReplicaReloadsItsOwnFileAndKeepsTheSharedState()
    {
        var directoryA = Directory.CreateTempSubdirectory("alerthealer-test-").FullName;
        var directoryB = Directory.CreateTempSubdirectory("alerthealer-test-").FullName;
        var volumeA = new ConfigMapVolume(directoryA, FileOf(("whisker", Whisker())));
        var volumeB = new ConfigMapVolume(directoryB, FileOf(("whisker", Whisker())));
        await using var a = await TestApp.StartAsync(PolicyReloadHarness.UsingFile(volumeA), directoryA, provider: "Postgres");
        var store = await File.ReadAllTextAsync(Path.Combine(directoryA, "postgres-connection-string"));
        await using var b = await TestApp.StartAsync(PolicyReloadHarness.UsingFile(volumeB, s => s["AlertHealer:Audit:ConnectionString"] = store),
            directoryB, a.Kube, a.Time, provider: "Postgres");
        using var pause = await a.Operator.PostAsJsonAsync("/policies/whisker/pause", new { reason = "goldmane upgrade" });
        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        var started = await a.PoliciesAsync();

        // Only A's file changes: A applies it, B keeps its own.
        volumeA.Update(FileOf(("whisker", Whisker(p => p["MaxAttempts"] = 5))));
        var reloadedA = await a.ReloadAsync(v => v.Config.Hash != started.Config.Hash);
        var unchangedB = await b.PoliciesAsync();
        Assert.Equal(5, reloadedA.Policies.Single().MaxAttempts);
        Assert.Equal(3, unchangedB.Policies.Single().MaxAttempts);
        Assert.Equal(started.Config.Hash, unchangedB.Config.Hash);

        // B's file gets the same update, then a bad one that only B refuses.
        volumeB.Update(FileOf(("whisker", Whisker(p => p["MaxAttempts"] = 5))));
        var reloadedB = await b.ReloadAsync(v => v.Config.Hash == reloadedA.Config.Hash);
        volumeB.Update(FileOf(("whisker", Whisker(p => p["Cooldown"] = "-00:01:00"))));
        var refusedB = await b.ReloadAsync(v => !v.Config.LastReloadSuccessful);

        Assert.Contains("AlertHealer:Policies:whisker:Cooldown must be positive", refusedB.Config.LastError);
        Assert.Equal(reloadedA.Config.Hash, refusedB.Config.Hash);
        Assert.True((await a.PoliciesAsync()).Config.LastReloadSuccessful);
        Assert.All([reloadedA, reloadedB, refusedB, await a.PoliciesAsync()], v =>
        {
            var whisker = v.Policies.Single();
            Assert.True(whisker.Paused);
            Assert.Equal("goldmane upgrade", whisker.PauseReason);
        });
    }
}
