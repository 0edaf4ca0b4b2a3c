using System.Net;
using System.Text.Json;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Webhooks;

public static class WebhookAssert
{
    // A bad delivery: 400 problem naming the field, nothing recorded, nothing deleted.
    public static async Task RejectedNamingTheFieldAsync(string body, string field)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();

        using var response = await app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"expected an error for '{field}' in {errors}");
        Assert.Empty((await app.AuditAsync()).Items);
        Assert.Empty(app.Kube.Deletes());
    }
}
