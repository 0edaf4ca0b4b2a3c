namespace AlertHealer.Tls;

public enum TlsMode
{
    // Only https:// addresses are served: a plain http:// address stops startup.
    Required,
    // http:// addresses are served next to https:// ones (while callers move over).
    AllowHttp,
}

public sealed class TlsOptions
{
    public const string Section = "AlertHealer:Tls";

    // PEM certificate, the leaf first and then its chain: cert-manager's tls.crt.
    public string? CertificateFile { get; set; }

    // PEM private key of the leaf (PKCS#8, PKCS#1 or SEC1): cert-manager's tls.key.
    public string? KeyFile { get; set; }

    public TlsMode Mode { get; set; } = TlsMode.Required;

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificateFile) || !string.IsNullOrWhiteSpace(KeyFile);
}
