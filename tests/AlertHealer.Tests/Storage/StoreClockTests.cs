using AlertHealer.Audit;
using AlertHealer.Inbox;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.Storage;

// Replicas on PostgreSQL judge claim expiry by the database's clock: a replica whose own clock is
// 30 s ahead or behind the others' neither steals a live claim nor waits past a dead one's expiry.
public sealed class StoreClockTests
{
    [Fact]
    public async Task PostgresJudgesClaimExpiryByItsOwnClockWhateverTheReplicasClocksSay()
    {
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Inbox:WorkerEnabled"] = "false", provider: "Postgres");
        var inbox = app.Services.GetRequiredService<IInboxStore>();
        var now = DateTimeOffset.UtcNow;
        AlertRef Alert(string fingerprint) => new("WhiskerBackendWedged", fingerprint, now.AddMinutes(-1), "firing",
            new Dictionary<string, string> { ["alertname"] = "WhiskerBackendWedged" });
        await inbox.EnqueueAsync([InboxAlert.From(Alert("00000000000000c1"), matchesPolicy: true), InboxAlert.From(Alert("00000000000000c2"))], now.AddSeconds(-30));

        // Replica A's clock is 30 s behind: by the clocks of the others its 15 s claim ended long ago.
        var live = await inbox.ClaimNextAsync(new InboxClaim("replica-a", now.AddSeconds(-30), now.AddSeconds(-15)));
        Assert.NotNull(live);
        // Replica B's clock is 30 s ahead: it does not take the live claim.
        Assert.Equal(0, await inbox.ReclaimExpiredAsync(new InboxClaim("replica-b", now.AddSeconds(30), now.AddSeconds(45)), []));
        Assert.True(await inbox.RenewClaimAsync(live, new InboxClaim("replica-a", now.AddSeconds(-30), now.AddSeconds(-15))));

        // A replica that dies holding a one-second claim: a replica 30 s behind takes it over as
        // soon as the database's clock has passed it, not 30 s later.
        var dead = await inbox.ClaimNextAsync(new InboxClaim("replica-c", now.AddSeconds(30), now.AddSeconds(31)));
        Assert.NotNull(dead);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var behind = new InboxClaim("replica-b", now.AddSeconds(-30), now.AddSeconds(-15));
        Assert.Equal(1, await inbox.ReclaimExpiredAsync(behind, []));
        var takenOver = await inbox.ClaimNextAsync(behind);
        Assert.Equal(dead.Id, takenOver?.Id);
        Assert.False(await inbox.RenewClaimAsync(dead, new InboxClaim("replica-c", now.AddSeconds(30), now.AddSeconds(45))));
    }
}
