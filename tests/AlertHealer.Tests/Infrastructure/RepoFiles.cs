namespace AlertHealer.Tests.Infrastructure;

// Files of the repository itself, found from the test binaries' folder.
public static class RepoFiles
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AlertHealer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No AlertHealer.sln in {AppContext.BaseDirectory} or any folder above it.");
    }
}
