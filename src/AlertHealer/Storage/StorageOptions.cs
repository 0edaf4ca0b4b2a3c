namespace AlertHealer.Storage;

public sealed class StorageOptions
{
    public const string Section = "AlertHealer:Store";

    // Sqlite: one file, one replica (the default). Postgres: a database several replicas share.
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    // SQLite connection string, or for Postgres an Npgsql one ('Host=…;Database=…;Username=…;Password=…').
    // The store holds the audit log, the inbox and policy state.
    public string ConnectionString { get; set; } = "Data Source=alerthealer.db";

    // A file holding the connection string (a mounted Secret); read at start and used instead.
    public string? ConnectionStringFile { get; set; }

    // How long a write waits for a lock (SQLite), or to connect or run a statement (PostgreSQL),
    // before the store counts as unavailable and the webhook answers 503.
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

public enum StorageProvider
{
    Sqlite,
    Postgres,
}
