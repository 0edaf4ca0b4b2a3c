using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace AlertHealer.Hosting;

// A setting the service cannot run with stops it with one line that names the key and what to
// set, on stderr and in the log, and exit code 1: no stack trace for an operator to read through.
// Anything else that fails at startup is a bug and keeps .NET's full report.
public static class StartupRefusal
{
    public const int ExitCode = 1;
    public const string Prefix = "AlertHealer cannot start: ";

    // The host logs a failed start ("Hosting failed to start") with the stack trace before the
    // exception reaches RunOrRefuseAsync. While starting, that one error is left out: a refusal
    // is then one line, and anything else still ends in .NET's full report of the exception.
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private static volatile bool _starting;

    public static WebApplicationBuilder AddStartupRefusal(this WebApplicationBuilder builder)
    {
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Warning && !(_starting && level == LogLevel.Error));
        return builder;
    }

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
        _starting = OwnsProcess;
        try
        {
            await app.StartAsync();
        }
        catch (Exception ex) when (OwnsProcess && Reason(ex) is { } reason)
        {
            await RefuseAsync(app, reason);
            return ExitCode;
        }
        finally
        {
            _starting = false;
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
        OptionsValidationException o => string.Join("; ", o.Failures.Select(OneLine)),
        AggregateException { InnerExceptions.Count: > 0 } a when a.InnerExceptions.Select(Reason).ToList() is var reasons && reasons.All(r => r is not null) =>
            string.Join("; ", reasons),
        InvalidOperationException { InnerException: not null } i when i.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            OneLine(i.Message),
        // Kestrel: "Failed to bind to address http://127.0.0.1:8080: address already in use."
        IOException { InnerException: AddressInUseException } io =>
            $"{OneLine(io.Message).TrimEnd('.')}: another process listens there. Stop it, or listen elsewhere with ASPNETCORE_URLS (--urls) or ASPNETCORE_HTTP_PORTS",
        _ => null,
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
