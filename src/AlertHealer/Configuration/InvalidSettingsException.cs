namespace AlertHealer.Configuration;

// Settings that cannot be read as written: every problem, each naming its key.
public sealed class InvalidSettingsException(IReadOnlyList<string> problems)
    : Exception(string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
