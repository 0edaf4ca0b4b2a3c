namespace AlertHealer.Storage;

public sealed class StorageOptions
{
    public const string Section = "AlertHealer:Audit";

    // SQLite connection string; the file holds the audit log, the inbox and policy state.
    public string ConnectionString { get; set; } = "Data Source=alerthealer.db";

    // How long a writer waits for a lock before the store counts as unavailable.
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
