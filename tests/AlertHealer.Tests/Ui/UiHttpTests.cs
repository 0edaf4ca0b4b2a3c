using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Security;
using AlertHealer.Ui;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.Ui;

// The page's files over plain HTTP: anonymous, their own strict CSP, revalidated caching; and
// the API's deny-all policy untouched.
public sealed partial class UiHttpTests
{
    private const string PagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "";

    private static IEnumerable<UiFile> Files(TestApp app) => app.Services.GetRequiredService<UiFiles>().All;

    [Theory]
    [InlineData("/ui/", "text/html")]
    [InlineData("/ui/app.js", "text/javascript")]
    [InlineData("/ui/audit.js", "text/javascript")]
    [InlineData("/ui/app.css", "text/css")]
    [InlineData("/ui/favicon.svg", "image/svg+xml")]
    public async Task ThePageAndItsFilesCarryThePagePolicyWithoutAToken(string path, string type)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(PagePolicy, Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("no-cache", Header(response, "Cache-Control"));
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task EveryEmbeddedFileIsServed()
    {
        await using var app = await TestApp.StartAsync();
        var files = Files(app).ToList();

        Assert.Equal(["api.js", "app.css", "app.js", "audit.js", "dom.js", "favicon.svg", "format.js", "index.html", "policies.js", "token.js"],
            files.Select(f => f.Name));
        foreach (var file in files.Where(f => f.Name != UiEndpoints.Index))
        {
            using var response = await app.Anonymous.GetAsync("/ui/" + file.Name);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(file.Content, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task TheApiKeepsItsDenyAllPolicy()
    {
        await using var app = await TestApp.StartAsync();

        using var audit = await app.Reader.GetAsync("/audit");
        using var missing = await app.Anonymous.GetAsync("/ui/missing.js");
        using var anonymous = await app.Anonymous.GetAsync("/audit");

        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        EdgeAssert.SecurityHeaders(audit);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        EdgeAssert.SecurityHeaders(missing);
        // The page is anonymous; its data is not.
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        EdgeAssert.SecurityHeaders(anonymous);
    }

    [Fact]
    public async Task UiWithoutTheSlashRedirectsToThePage()
    {
        await using var app = await TestApp.StartAsync();
        // The test server's own client does not follow redirects.
        using var client = ((TestServer)app.Services.GetRequiredService<IServer>()).CreateClient();

        using var response = await client.GetAsync("/ui");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(new Uri("http://localhost/ui/"), new Uri(new Uri("http://localhost/ui"), response.Headers.Location!));
        EdgeAssert.SecurityHeaders(response);
    }

    [Fact]
    public async Task AnUnchangedFileIsRevalidatedWith304()
    {
        await using var app = await TestApp.StartAsync();
        using var first = await app.Anonymous.GetAsync("/ui/app.js");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var again = await app.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(PagePolicy, Header(again, "Content-Security-Policy"));
    }

    // What the CSP would refuse anyway, kept out of the source: inline script, inline style,
    // event-handler attributes; and no API that parses data as HTML.
    [Fact]
    public async Task TheFilesHaveNoInlineScriptOrStyleAndNeverParseDataAsHtml()
    {
        await using var app = await TestApp.StartAsync();
        var files = Files(app).ToDictionary(f => f.Name, f => Encoding.UTF8.GetString(f.Content));

        var html = files[UiEndpoints.Index];
        Assert.All(ScriptTag().Matches(html), m => Assert.Contains(" src=", m.Value));
        Assert.DoesNotMatch(InlineStyleOrHandler(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http", html, StringComparison.Ordinal);
        foreach (var (name, source) in files.Where(f => f.Key.EndsWith(".js", StringComparison.Ordinal)))
            Assert.False(HtmlSinks().IsMatch(source), $"{name} uses {HtmlSinks().Match(source).Value}");
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"\s(style|on[a-z]+)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineStyleOrHandler();

    [GeneratedRegex(@"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('on")]
    private static partial Regex HtmlSinks();
}
