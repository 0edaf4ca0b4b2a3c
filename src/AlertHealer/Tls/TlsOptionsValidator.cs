using Microsoft.Extensions.Options;

namespace AlertHealer.Tls;

// Stops startup, naming the key, when the certificate files cannot be served or when the
// addresses do not match the mode: an https:// address without a certificate, a certificate
// with no https:// address, or a plain http:// address while TLS is required.
public sealed class TlsOptionsValidator(IConfiguration configuration) : IValidateOptions<TlsOptions>
{
    private const string Cert = $"{TlsOptions.Section}:CertificateFile";
    private const string Key = $"{TlsOptions.Section}:KeyFile";

    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        var addresses = ListenAddresses.From(configuration);
        var https = addresses.FirstOrDefault(ListenAddresses.IsHttps);
        var plain = addresses.FirstOrDefault(a => !ListenAddresses.IsHttps(a));
        if (!options.Enabled)
        {
            return https is null ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{Cert} and {Key} must be set to serve '{https}' (the PEM files of a TLS Secret, tls.crt and tls.key)");
        }
        if (string.IsNullOrWhiteSpace(options.CertificateFile) || string.IsNullOrWhiteSpace(options.KeyFile))
            return ValidateOptionsResult.Fail($"{Cert} and {Key} must both be set (tls.crt and tls.key of the Secret)");
        if (ServedCertificate.Load(options.CertificateFile, options.KeyFile).Error is { } error)
            return ValidateOptionsResult.Fail(error);
        if (https is null)
            return ValidateOptionsResult.Fail($"{Cert} is set but no https:// address is configured ({string.Join(", ", addresses)}): " +
                "listen with ASPNETCORE_URLS=https://+:8443 (or ASPNETCORE_HTTPS_PORTS)");
        if (plain is not null && options.Mode == TlsMode.Required)
            return ValidateOptionsResult.Fail($"{TlsOptions.Section}:Mode is Required, so plain HTTP must not be served, but '{plain}' is configured: " +
                $"listen on https:// only (ASPNETCORE_URLS=https://+:8443, which replaces ASPNETCORE_HTTP_PORTS) or set {TlsOptions.Section}:Mode=AllowHttp");
        return ValidateOptionsResult.Success;
    }
}
