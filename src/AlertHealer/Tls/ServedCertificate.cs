using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AlertHealer.Tls;

// One certificate with its key and chain, as read from the PEM files.
public sealed record ServedCertificate(X509Certificate2 Leaf, SslStreamCertificateContext Context)
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string Cert = $"{TlsOptions.Section}:CertificateFile";
    private const string Key = $"{TlsOptions.Section}:KeyFile";

    // Reads and checks the pair; a problem is one sentence that names the key.
    public static (ServedCertificate? Served, string? Error) Load(string certificateFile, string keyFile)
    {
        try
        {
            return (Read(certificateFile, keyFile), null);
        }
        catch (TlsFileException ex)
        {
            return (null, ex.Message);
        }
    }

    private static ServedCertificate Read(string certificateFile, string keyFile)
    {
        var certificatePem = ReadText(Cert, certificateFile);
        var keyPem = ReadText(Key, keyFile);
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certificatePem);
        }
        catch (CryptographicException ex)
        {
            throw new TlsFileException($"{Cert}: '{certificateFile}' is not a PEM certificate ({ex.Message})");
        }
        if (chain.Count == 0) throw new TlsFileException($"{Cert}: '{certificateFile}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        var leaf = WithKey(chain[0], keyPem, certificateFile, keyFile);
        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && usage.EnhancedKeyUsages.Cast<Oid>().All(o => o.Value != ServerAuth))
            throw new TlsFileException($"{Cert}: the certificate in '{certificateFile}' is not for TLS servers (its extended key usage lacks serverAuth)");
        // The rest of tls.crt is the chain, sent with the leaf so that callers need only the root.
        chain.RemoveAt(0);
        return new ServedCertificate(leaf, SslStreamCertificateContext.Create(leaf, chain, offline: true));
    }

    // The key is imported on its own first, so a file without a key and a key of another
    // certificate are told apart (X509Certificate2.CreateFromPem says the same for both).
    private static X509Certificate2 WithKey(X509Certificate2 certificate, string keyPem, string certificateFile, string keyFile)
    {
        using var ecdsaPublic = certificate.GetECDsaPublicKey();
        using var rsaPublic = certificate.GetRSAPublicKey();
        AsymmetricAlgorithm key = ecdsaPublic is not null ? ECDsa.Create() : rsaPublic is not null ? RSA.Create()
            : throw new TlsFileException($"{Cert}: the certificate in '{certificateFile}' has neither an RSA nor an ECDSA key");
        try
        {
            key.ImportFromPem(keyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new TlsFileException($"{Key}: '{keyFile}' holds no usable PEM private key for the certificate's {(key is ECDsa ? "ECDSA" : "RSA")} key ({ex.Message})");
        }
        try
        {
            return key is ECDsa ecdsa ? certificate.CopyWithPrivateKey(ecdsa) : certificate.CopyWithPrivateKey((RSA)key);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new TlsFileException($"{Key}: the key in '{keyFile}' does not belong to the certificate in '{certificateFile}'; use tls.key and tls.crt of the same Secret");
        }
    }

    private static string ReadText(string setting, string file)
    {
        if (!File.Exists(file)) throw new TlsFileException($"{setting} points at '{file}', which does not exist");
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TlsFileException($"{setting}: '{file}' cannot be read ({ex.Message}); mount it readable by the service's user");
        }
    }

    private sealed class TlsFileException(string message) : Exception(message);
}
