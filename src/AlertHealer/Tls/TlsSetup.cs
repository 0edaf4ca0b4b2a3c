using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AlertHealer.Tls;

// Optional HTTPS from PEM files (cert-manager's tls.crt and tls.key), for every https:// address.
public static class TlsSetup
{
    public static WebApplicationBuilder AddTls(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TlsOptions>().Bind(builder.Configuration.GetSection(TlsOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>();
        builder.Services.AddSingleton<CertificateFiles>();
        // Read when Kestrel binds an https:// address, which startup validation allows only
        // with the files configured; options are not read here because Kestrel's options are
        // built before that validation runs.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<CertificateFiles>((kestrel, files) =>
            kestrel.ConfigureHttpsDefaults(https =>
            {
                // Kestrel needs a certificate or a selector for an https:// address.
                https.ServerCertificateSelector = (_, _) => files.Current.Leaf;
                // Each handshake is handed the context built from all of tls.crt, read again if
                // the files changed: a selected certificate alone would go out without its chain.
                https.OnAuthenticate = (_, ssl) =>
                {
                    ssl.ServerCertificateSelectionCallback = null;
                    ssl.ServerCertificateContext = files.Current.Context;
                };
            }));
        return builder;
    }
}
