namespace AlertHealer.Release;

// `dotnet AlertHealer.dll --version`: which build this is, without starting anything.
public static class VersionCommand
{
    public const string Flag = "--version";

    public static int Run(TextWriter output)
    {
        output.WriteLine($"AlertHealer {BuildInfo.Version} (commit {BuildInfo.Revision})");
        return 0;
    }
}
