using System.Reflection;
using Microsoft.Extensions.Options;

namespace AlertHealer.Hosting;

// A setting the service cannot run with stops it with one line that names the key and what to
// set, on stderr and in the log, and exit code 1: no stack trace for an operator to read through.
// Anything else that fails at startup is a bug and keeps .NET's full report.
public static class StartupRefusal
{
    public const int ExitCode = 1;
    public const string Prefix = "AlertHealer cannot start: ";

    // Runs every ValidateOnStart check before the endpoints are mapped, because mapping
    // already resolves services that need validated options.
    public static async Task<bool> RefusesToStartAsync(this WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            return false;
        }
        catch (Exception ex) when (OwnsProcess && Reason(ex) is { } reason)
        {
            await RefuseAsync(app, reason);
            return true;
        }
    }

    // app.Run(), except that a refusal found while starting is one line too.
    public static async Task<int> RunOrRefuseAsync(this WebApplication app)
    {
        try
        {
            await app.StartAsync();
        }
        catch (Exception ex) when (OwnsProcess && Reason(ex) is { } reason)
        {
            await RefuseAsync(app, reason);
            return ExitCode;
        }
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    // The test host runs Program in its own process and wants the exception itself.
    private static bool OwnsProcess => Assembly.GetEntryAssembly() == typeof(StartupRefusal).Assembly;

    private static async Task RefuseAsync(WebApplication app, string reason)
    {
        app.Logger.LogCritical("{Refusal}", Prefix + reason);
        // Disposing flushes the console logger before the line below and the exit.
        await app.DisposeAsync();
        await Console.Error.WriteLineAsync(Prefix + reason);
    }

    // The operator's part of a startup failure, or null for anything that is not theirs to fix.
    public static string? Reason(Exception ex) => ex switch
    {
        Storage.SchemaTooNewException s => s.Message,
        OptionsValidationException o => string.Join("; ", o.Failures.Select(OneLine)),
        AggregateException { InnerExceptions.Count: > 0 } a when a.InnerExceptions.Select(Reason).ToList() is var reasons && reasons.All(r => r is not null) =>
            string.Join("; ", reasons),
        InvalidOperationException { InnerException: not null } i when i.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            OneLine(i.Message),
        _ => null,
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
