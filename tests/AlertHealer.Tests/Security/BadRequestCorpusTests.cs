using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

public sealed class BadRequestCorpusTests
{
    [Theory]
    [MemberData(nameof(BadRequests.Names), MemberType = typeof(BadRequests))]
    public async Task BadRequestGetsItsExactProblemAndChangesNothing(string name)
    {
        var bad = BadRequests.All[name];
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var before = await EdgeAssert.SeedAuditAsync(app);
        using var streaming = EdgeAssert.StreamingClient(app, TestApp.WebhookToken);
        var client = bad.Caller switch
        {
            Caller.Webhook => app.Webhook,
            Caller.WebhookStreaming => streaming,
            Caller.Operator => app.Operator,
            Caller.Reader => app.Reader,
            _ => app.Anonymous,
        };

        using var request = new HttpRequestMessage(bad.Method, bad.Path) { Content = bad.Body() };
        using var response = await client.SendAsync(request);

        await EdgeAssert.ProblemAsync(response, bad.Status);
        EdgeAssert.SecurityHeaders(response);
        // Anything wrongly queued would be decided now and show up in the audit log.
        await app.DrainAsync();
        Assert.Empty(app.Kube.Deletes());
        Assert.Equal(before, await EdgeAssert.AuditSnapshotAsync(app));
        await EdgeAssert.StillHealthyAsync(app);
    }
}
