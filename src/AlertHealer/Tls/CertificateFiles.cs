using Microsoft.Extensions.Options;

namespace AlertHealer.Tls;

// The certificate served on every handshake, read from the PEM files and read again when either
// file changes: cert-manager renews into the Secret and the kubelet swaps the mounted files, so
// the renewed certificate is served without a restart. The files are looked at (modification
// time and size) at most every 2 s; a pair that does not load, e.g. while the two files are
// being replaced one after the other, leaves the last good certificate in service.
public sealed class CertificateFiles(IOptions<TlsOptions> options, TimeProvider time, ILogger<CertificateFiles> logger)
{
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(2);
    private readonly Lock _gate = new();
    private ServedCertificate? _current;
    private (FileStamp Certificate, FileStamp Key) _loaded;
    private (FileStamp Certificate, FileStamp Key) _refused;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    public ServedCertificate Current
    {
        get
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (_current is not null && now - _checkedAt < RecheckEvery) return _current;
                _checkedAt = now;
                var stamps = (FileStamp.Of(CertificateFile), FileStamp.Of(KeyFile));
                if (_current is not null && (stamps == _loaded || stamps == _refused)) return _current;
                var (served, error) = ServedCertificate.Load(CertificateFile, KeyFile);
                if (served is null)
                {
                    // Validated at startup, so there is a good one unless the files went bad since.
                    if (_current is null) throw new InvalidOperationException(error);
                    logger.LogWarning("TLS certificate not reloaded, still serving {Thumbprint}: {Error}", _current.Leaf.Thumbprint, error);
                    _refused = stamps;
                    return _current;
                }
                _current = served;
                _loaded = stamps;
                logger.LogInformation("TLS certificate {Subject} (serial {Serial}, thumbprint {Thumbprint}) valid until {NotAfter:o} is served",
                    served.Leaf.Subject, served.Leaf.SerialNumber, served.Leaf.Thumbprint, served.Leaf.NotAfter.ToUniversalTime());
                if (served.Leaf.NotAfter.ToUniversalTime() < now.UtcDateTime)
                    logger.LogWarning("TLS certificate {Thumbprint} expired at {NotAfter:o}", served.Leaf.Thumbprint, served.Leaf.NotAfter.ToUniversalTime());
                return served;
            }
        }
    }

    private string CertificateFile => options.Value.CertificateFile!;
    private string KeyFile => options.Value.KeyFile!;

    // The kubelet mounts Secret keys as symlinks into a timestamped folder that it swaps on
    // update, so the final target is part of what identifies one version of a file.
    private readonly record struct FileStamp(string Target, DateTime Modified, long Length)
    {
        public static FileStamp Of(string path)
        {
            try
            {
                var info = new FileInfo(File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path);
                return info.Exists ? new FileStamp(info.FullName, info.LastWriteTimeUtc, info.Length) : default;
            }
            catch (IOException)
            {
                return default;
            }
        }
    }
}
