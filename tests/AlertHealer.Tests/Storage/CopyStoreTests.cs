using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Policies;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using AlertHealer.Tests.Infrastructure.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Storage;

// Moving from SQLite to PostgreSQL keeps the history, the cooldowns and exactly-once.
public sealed class CopyStoreTests
{
    [Fact]
    public async Task CopiedHistoryIsServedFromPostgresAndACopyAgainChangesNothing()
    {
        var time = new FakeTimeProvider(TestApp.Start);
        await using var kube = await FakeKubernetesApi.StartAsync(time);
        kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        string sqlite;
        List<AuditEntry> before;
        await using (var old = (await TestApp.StartAsync(kube: kube, time: time)).WithCalicoSystem())
        {
            await old.PostWebhookAsync(Fixtures.Firing);
            await old.WaitForAuditAsync(e => e.Verification == Verifications.Healed, "the restart healed");
            await old.PostWebhookAsync(Fixtures.NewIncident("00000000000000f2", startsAt: time.GetUtcNow()));
            await old.WaitForOutcomeAsync(Outcomes.Cooldown);
            before = [.. (await old.AuditAsync()).Items];
            sqlite = old.DatabasePath;
        }
        var server = await PostgresServer.SharedAsync();
        var postgres = await server.CreateDatabaseAsync();

        var first = await AppProcess.RunToExitAsync(new Dictionary<string, string?>(), null, null, "copy-store", "--from", sqlite, "--to", postgres);
        var again = await AppProcess.RunToExitAsync(new Dictionary<string, string?>(), null, null, "copy-store", "--from", sqlite, "--to", postgres);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"audit: {before.Count} copied, 0 already there", first.StandardOutput);
        Assert.Contains("incidents: 1 copied", first.StandardOutput);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains($"audit: 0 copied, {before.Count} already there", again.StandardOutput);
        Assert.DoesNotContain(new Npgsql.NpgsqlConnectionStringBuilder(postgres).Password!, first.Output);

        var directory = Directory.CreateTempSubdirectory("alerthealer-moved-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "postgres-connection-string"), postgres);
        await using var moved = await TestApp.StartAsync(directory: directory, kube: kube, time: time, provider: "Postgres");
        var after = (await moved.AuditAsync()).Items;
        Assert.Equal(before.Select(e => (e.Id, e.Outcome, e.Verification, e.Duplicates)), after.Select(e => (e.Id, e.Outcome, e.Verification, e.Duplicates)));
        var whisker = (await moved.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!.Policies.Single();
        Assert.Equal(1, whisker.ConsecutiveRestarts);
        Assert.NotNull(whisker.CooldownUntil);

        // The restarted incident stays decided: a re-send is a duplicate, not a second restart.
        using var resent = await moved.PostWebhookAsync(Fixtures.Firing);
        Assert.Contains("duplicate", await resent.Content.ReadAsStringAsync());
        Assert.Single(kube.Deletes());
        var entry = await moved.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{before.Single(e => e.Outcome == Outcomes.Restarted).Id}", Json.Options);
        Assert.Equal(1, entry!.Duplicates);
    }

    [Fact]
    public async Task MissingArgumentsAreRefusedWithUsage()
    {
        var exit = await AppProcess.RunToExitAsync(new Dictionary<string, string?>(), null, null, "copy-store", "--from", "/nowhere.db");

        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("both --from and --to", exit.StandardError);
        Assert.Contains("usage: AlertHealer copy-store", exit.StandardError);
    }
}
