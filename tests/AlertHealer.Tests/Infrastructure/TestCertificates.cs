using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AlertHealer.Tests.Infrastructure;

// A certificate authority of the test's own, and server certificates for 127.0.0.1/localhost
// written as PEM files the way cert-manager writes a TLS Secret (tls.crt with the chain after
// the leaf, tls.key, ca.crt). ECDSA P-256 keys: quick to make on a loaded machine.
public sealed class TestCertificates
{
    private readonly ECDsa _key;

    private TestCertificates(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    public X509Certificate2 Certificate { get; }

    public static TestCertificates CreateAuthority(string name = "AlertHealer test CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificates(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)), key);
    }

    // An intermediate CA signed by this one.
    public TestCertificates CreateIntermediate(string name = "AlertHealer test intermediate")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.Create(Certificate, now.AddMinutes(-5), now.AddDays(1), RandomSerial());
        return new TestCertificates(certificate.CopyWithPrivateKey(key), key);
    }

    // A server certificate for 127.0.0.1, ::1 and localhost with its (unexported) key.
    public (X509Certificate2 Certificate, ECDsa Key) IssueServer(string name = "alerthealer", string usage = "1.3.6.1.5.5.7.3.1")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        var now = DateTimeOffset.UtcNow;
        return (request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddMinutes(-5), now.AddDays(1), RandomSerial()), key);
    }

    // Writes tls.crt (leaf, then chain), tls.key and ca.crt into directory; returns the first two paths.
    public (string CertificateFile, string KeyFile) WriteSecret(string directory, X509Certificate2 leaf, ECDsa key, params X509Certificate2[] chain)
    {
        Directory.CreateDirectory(directory);
        var certificateFile = Path.Combine(directory, "tls.crt");
        var keyFile = Path.Combine(directory, "tls.key");
        File.WriteAllText(certificateFile, string.Concat(new[] { leaf }.Concat(chain).Select(c => c.ExportCertificatePem() + "\n")));
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(Path.Combine(directory, "ca.crt"), Certificate.ExportCertificatePem() + "\n");
        return (certificateFile, keyFile);
    }

    // A client that trusts this CA alone, as a caller given only ca.crt would.
    public HttpClient TrustingClient(Uri baseAddress) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = TrustOnlyThis() },
    })
    { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    // The certificate a TLS handshake with address is answered with (trusting this CA alone).
    public async Task<X509Certificate2> ServedCertificateAsync(Uri address)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = address.Host,
            CertificateChainPolicy = TrustOnlyThis(),
        });
        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
    }

    private X509ChainPolicy TrustOnlyThis()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(Certificate);
        return policy;
    }

    private static byte[] RandomSerial() => RandomNumberGenerator.GetBytes(16);
}
