using System.Net;
using System.Text.Json;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

// The store binds every filter as a parameter: SQL in a filter is just a value that matches
// nothing. Answered 200 with no items (the seeded entry would show if the WHERE were bypassed),
// and the table is still there afterwards.
public sealed class AuditInjectionTests
{
    [Theory]
    [InlineData("policy", "' OR 1=1 --")]
    [InlineData("policy", "whisker' OR '1'='1")]
    [InlineData("alertname", "x\" OR \"\"=\"")]
    [InlineData("fingerprint", "1; DROP TABLE audit; --")]
    [InlineData("alertname", "%")]
    [InlineData("policy", "_hisker")]
    public async Task SqlInAFilterMatchesNothingAndDropsNothing(string filter, string value)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var before = await EdgeAssert.SeedAuditAsync(app);

        using var response = await app.Reader.GetAsync($"/audit?{filter}={Uri.EscapeDataString(value)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(0, page.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(before, await EdgeAssert.AuditSnapshotAsync(app));
        Assert.Empty(app.Kube.Deletes());
        await EdgeAssert.StillHealthyAsync(app);
    }
}
