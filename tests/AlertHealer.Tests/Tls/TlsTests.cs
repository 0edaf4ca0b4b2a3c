using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Tls;

// HTTPS from cert-manager style PEM files, on the real process listening where ASPNETCORE_URLS says.
public sealed class TlsTests
{
    private static readonly TimeSpan RotationPatience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WithTlsRequiredTheApiIsServedOverHttpsAndPlainHttpIsNot()
    {
        var ca = TestCertificates.CreateAuthority();
        await using var app = await StartAsync(ca);
        var https = app.Address("https");
        Assert.All(app.Addresses, a => Assert.Equal("https", a.Scheme));

        using var client = ca.TrustingClient(https);
        using var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/policies");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestApp.ReaderToken);
        using var policies = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, policies.StatusCode);

        // The same port spoken to in plain HTTP answers nothing: no request is read in clear.
        using var plain = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(new UriBuilder(https) { Scheme = "http", Path = "/healthz" }.Uri));
    }

    [Fact]
    public async Task ARotatedCertificateIsServedWithoutARestart()
    {
        var ca = TestCertificates.CreateAuthority();
        var secret = StartupTests.NewDirectory();
        var (first, firstKey) = ca.IssueServer();
        var files = ca.WriteSecret(secret, first, firstKey);
        await using var app = await StartAsync(ca, secret, files);
        var https = app.Address("https");
        Assert.Equal(first.Thumbprint, (await ca.ServedCertificateAsync(https)).Thumbprint);

        // cert-manager renews: new key, new serial, the Secret's files replaced in place.
        var (second, secondKey) = ca.IssueServer();
        var staging = StartupTests.NewDirectory();
        var renewed = ca.WriteSecret(staging, second, secondKey);
        File.Move(renewed.CertificateFile, files.CertificateFile, overwrite: true);
        File.Move(renewed.KeyFile, files.KeyFile, overwrite: true);

        var waited = Stopwatch.StartNew();
        var served = await ca.ServedCertificateAsync(https);
        while (served.Thumbprint != second.Thumbprint && waited.Elapsed < RotationPatience)
        {
            await Task.Delay(200);
            served = await ca.ServedCertificateAsync(https);
        }
        Assert.True(served.Thumbprint == second.Thumbprint, $"still serving {served.Thumbprint} after {waited.Elapsed}:\n{app.Output}");
        Assert.Equal(second.SerialNumber, served.SerialNumber);
        Assert.NotEqual(first.SerialNumber, served.SerialNumber);
        Assert.False(app.HasExited);
        Assert.Contains($"thumbprint {second.Thumbprint}", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheChainInTlsCrtIsSentSoCallersNeedOnlyTheRootCa()
    {
        var root = TestCertificates.CreateAuthority();
        var intermediate = root.CreateIntermediate();
        var (leaf, key) = intermediate.IssueServer();
        var secret = StartupTests.NewDirectory();
        var files = root.WriteSecret(secret, leaf, key, intermediate.Certificate);
        await using var app = await StartAsync(root, secret, files);

        // Trusting the root alone: the handshake only succeeds if the intermediate was sent.
        using var client = root.TrustingClient(app.Address("https"));
        using var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task AllowHttpServesPlainHttpNextToHttps()
    {
        var ca = TestCertificates.CreateAuthority();
        await using var app = await StartAsync(ca, mode: "AllowHttp", urls: "https://127.0.0.1:0;http://127.0.0.1:0");

        using var secure = ca.TrustingClient(app.Address("https"));
        using var plain = new HttpClient { BaseAddress = app.Address("http"), Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, (await secure.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync("/healthz")).StatusCode);
    }

    internal static Task<AppProcess> StartAsync(TestCertificates ca, string? secret = null, (string CertificateFile, string KeyFile)? files = null,
        string mode = "Required", string urls = "https://127.0.0.1:0")
    {
        secret ??= StartupTests.NewDirectory();
        if (files is null)
        {
            var (leaf, key) = ca.IssueServer();
            files = ca.WriteSecret(secret, leaf, key);
        }
        var settings = AppProcess.Settings(secret);
        settings["AlertHealer__Tls__CertificateFile"] = files.Value.CertificateFile;
        settings["AlertHealer__Tls__KeyFile"] = files.Value.KeyFile;
        settings["AlertHealer__Tls__Mode"] = mode;
        return AppProcess.StartAsync(settings, urls: urls);
    }
}
