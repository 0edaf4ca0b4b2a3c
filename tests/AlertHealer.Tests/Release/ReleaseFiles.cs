using System.Text.Json.Nodes;
using System.Xml.Linq;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Release;

// What the repository says about its release: the one version, the previous release's commit,
// and the packages a lock file pins.
internal static class ReleaseFiles
{
    public static string Version =>
        XDocument.Load(RepoFiles.PathOf("Directory.Build.props")).Descendants("Version").Single().Value;

    public static string PreviousRelease => RepoFiles.Read(".ci", "previous-release").Trim();

    // Every package of every target (the framework and each runtime) as name → version.
    public static IReadOnlyDictionary<string, string> LockedPackages(params string[] lockFile)
    {
        var root = JsonNode.Parse(RepoFiles.Read(lockFile))!;
        var packages = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (_, target) in root["dependencies"]!.AsObject())
        {
            foreach (var (name, entry) in target!.AsObject())
            {
                if ((string?)entry!["type"] == "Project") continue;
                packages[name] = (string)entry["resolved"]!;
            }
        }
        return packages;
    }
}
