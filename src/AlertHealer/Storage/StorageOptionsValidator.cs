using AlertHealer.Audit;
using AlertHealer.Inbox;
using AlertHealer.Policies;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AlertHealer.Storage;

// Refuses a store configuration that cannot work, naming the key to fix. Never repeats the
// connection string: it may hold a password.
public sealed class StorageOptionsValidator(IServiceProviderIsKeyedService services) : IValidateOptions<StorageOptions>
{
    private const string Key = StorageOptions.Section;

    public ValidateOptionsResult Validate(string? name, StorageOptions o)
    {
        var failures = new List<string>();
        var source = o.ConnectionStringFile is { Length: > 0 } ? $"{Key}:ConnectionStringFile" : $"{Key}:ConnectionString";
        if (o.ConnectionStringFile is { Length: > 0 } file && FileProblem(file) is { } problem)
            failures.Add($"{Key}:ConnectionStringFile: {problem}");
        else if (string.IsNullOrWhiteSpace(o.ConnectionString))
            failures.Add($"{source} must be set");
        else if (o.Provider == StorageProvider.Sqlite && !IsSqlite(o.ConnectionString))
            failures.Add($"{source} must be a SQLite connection string like 'Data Source=/var/lib/alerthealer/alerthealer.db'");
        else if (o.Provider == StorageProvider.Postgres && NpgsqlProblem(o.ConnectionString) is { } npgsql)
            failures.Add($"{source} must be an Npgsql connection string like 'Host=alerthealer-db-rw;Database=alerthealer;Username=alerthealer;Password=…' when {Key}:Provider is Postgres: {npgsql}");
        if (o.BusyTimeout <= TimeSpan.Zero || o.BusyTimeout > TimeSpan.FromMinutes(5))
            failures.Add($"{Key}:BusyTimeout must be positive and at most 5 minutes");
        var missing = new[] { typeof(IAuditStore), typeof(IInboxStore), typeof(IStateStore) }
            .Where(t => !services.IsKeyedService(t, o.Provider)).Select(t => t.Name).ToList();
        if (missing.Count > 0)
            failures.Add($"{Key}:Provider={o.Provider} has no {string.Join(", ", missing)} in this version yet; use {StorageProvider.Sqlite}");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? FileProblem(string file)
    {
        if (!File.Exists(file)) return $"{file} does not exist (mount the Secret there)";
        string text;
        try { text = File.ReadAllText(file).Trim(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return $"{file} cannot be read: {ex.Message}"; }
        if (text.Length == 0) return $"{file} is empty";
        return text.Contains("CHANGE-ME", StringComparison.Ordinal) ? $"{file} still holds the CHANGE-ME placeholder" : null;
    }

    private static bool IsSqlite(string connectionString)
    {
        try { return !string.IsNullOrEmpty(new SqliteConnectionStringBuilder(connectionString).DataSource); }
        catch (ArgumentException) { return false; }
    }

    private static string? NpgsqlProblem(string connectionString)
    {
        if (connectionString.Contains("Data Source", StringComparison.OrdinalIgnoreCase)) return "this looks like a SQLite one";
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrEmpty(builder.Host) ? "Host is missing" : null;
        }
        catch (ArgumentException ex) { return ex.Message; }
    }
}
