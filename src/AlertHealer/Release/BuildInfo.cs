using System.Reflection;

namespace AlertHealer.Release;

// The build this process is: the version set once in Directory.Build.props and the commit it was
// built from, which the SDK stamps as "1.0.0+<sha>". A build without git and without
// -p:SourceRevisionId has no commit: "unknown", never an empty label or a guess.
public static class BuildInfo
{
    public const string UnknownRevision = "unknown";

    private static readonly (string Version, string Revision) Stamp = Parse(
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    public static string Version => Stamp.Version;
    public static string Revision => Stamp.Revision;

    // What every outbound call (Kubernetes, Loki, Alertmanager) says it is.
    public static string UserAgent => $"AlertHealer/{Version}";

    public static (string Version, string Revision) Parse(string informational) =>
        informational.Split('+', 2) is [var version, { Length: > 0 } revision] ? (version, revision) : (informational.TrimEnd('+'), UnknownRevision);
}
