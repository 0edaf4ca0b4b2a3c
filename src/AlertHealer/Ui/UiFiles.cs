using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace AlertHealer.Ui;

public sealed record UiFile(string Name, string ContentType, byte[] Content, EntityTagHeaderValue ETag);

// The page's files, embedded in the assembly: the image needs no content root or wwwroot, and
// what is served is exactly what was built and tested.
public sealed class UiFiles
{
    public const string ResourcePrefix = "AlertHealer.Ui/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public UiFiles()
    {
        var assembly = typeof(UiFiles).Assembly;
        All = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => Load(assembly, n))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
    }

    public IReadOnlyList<UiFile> All { get; }

    private static UiFile Load(Assembly assembly, string resource)
    {
        var name = resource[ResourcePrefix.Length..];
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = Stamp(name, buffer.ToArray());
        // Unknown kinds would be served as something a browser might sniff; refuse at startup.
        if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var type))
            throw new InvalidOperationException($"The page file '{name}' has no known content type.");
        var hash = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12));
        return new UiFile(name, type, content, new EntityTagHeaderValue($"\"{hash}\""));
    }

    // The page's footer names the build; the placeholder is filled once, before the ETag is taken.
    public const string VersionPlaceholder = "@VERSION@";

    private static byte[] Stamp(string name, byte[] content) =>
        name.EndsWith(".html", StringComparison.Ordinal)
            ? System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(content).Replace(VersionPlaceholder, Release.BuildInfo.Version, StringComparison.Ordinal))
            : content;
}
