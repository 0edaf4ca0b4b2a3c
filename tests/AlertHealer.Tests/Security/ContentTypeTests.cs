using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Security;

public sealed class ContentTypeTests
{
    [Theory]
    [InlineData("/webhook/alertmanager", "text/plain")]
    [InlineData("/webhook/alertmanager", "application/xml")]
    [InlineData("/webhook/alertmanager", "application/json; charset=iso-8859-1")]
    [InlineData("/remediate", "text/plain")]
    [InlineData("/simulate", "multipart/form-data; boundary=x")]
    public async Task NonJsonBodyIs415WithAProblem(string path, string contentType)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        var client = path.StartsWith("/webhook", StringComparison.Ordinal) ? app.Webhook : app.Operator;
        using var content = new StringContent(path == "/remediate" ? "{\"policy\":\"whisker\",\"reason\":\"x\"}" : Fixtures.Firing, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await client.PostAsync(path, content);

        await EdgeAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Empty(app.Kube.Deletes());
        Assert.Empty((await app.AuditAsync()).Items);
    }

    // An unknown charset used to make the JSON reader throw, which answered 500.
    [Fact]
    public async Task UnknownCharsetIs415NotAServerError()
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        using var content = new StringContent(Fixtures.Firing, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=x-unknown");

        using var response = await app.Webhook.PostAsync("/webhook/alertmanager", content);

        var problem = await EdgeAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("The request body must be application/json.", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    public async Task Utf8JsonIsAccepted(string contentType)
    {
        await using var app = (await TestApp.StartAsync()).WithCalicoSystem();
        using var content = new StringContent(Fixtures.Firing, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await app.Webhook.PostAsync("/webhook/alertmanager", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
