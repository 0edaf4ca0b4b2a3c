using System.Reflection;
using AlertHealer.Configuration;
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

    // Keys and values are checked before the app is built: building already binds some options
    // (Kestrel's limits), and a value that does not convert would crash it with a stack trace.
    // check-config reports the problems itself. (A test host adds its settings only while
    // building; RefusesToStartAsync checks them again.)
    public static async Task<bool> RefusesSettingsAsync(this WebApplicationBuilder builder, CheckConfig.Request? check)
    {
        var problems = SettingsCheck.Problems(builder.Configuration);
        if (check is not null)
        {
            // check-config: its own problems (a --file) and these, one per line.
            if (check.Problems.Count + problems.Count == 0) return false;
            await CheckConfig.ReportAsync(check.Problems.Concat(problems), Console.Error);
            return true;
        }
        if (problems.Count == 0) return false;
        if (!OwnsProcess) throw new InvalidSettingsException(problems);
        var reason = OneLine(string.Join("; ", problems.Distinct()));
        // No app to log with yet: a logger configured as the app's writes the same line.
        using (var loggers = LoggerFactory.Create(l => l.AddConfiguration(builder.Configuration.GetSection("Logging")).AddConsole()))
            loggers.CreateLogger("AlertHealer").LogCritical("{Refusal}", Prefix + reason);
        await Console.Error.WriteLineAsync(Prefix + reason);
        return true;
    }

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
            Validate(app);
            if (RenamedSettings.Warning(app.Configuration) is { } renamed) app.Logger.LogWarning("{Renamed}", renamed);
            return false;
        }
        catch (Exception ex) when (OwnsProcess && Reason(ex) is { } reason)
        {
            await RefuseAsync(app, reason);
            return true;
        }
    }

    // Everything a start checks before it starts anything; `check-config` runs exactly this.
    // Keys and values first: options bound from a misspelt or unparsable setting would only
    // give misleading failures (a policy dropped by the binder is "no policy").
    public static void Validate(WebApplication app)
    {
        if (SettingsCheck.Problems(app.Configuration) is { Count: > 0 } problems) throw new InvalidSettingsException(problems);
        app.Services.GetService<IStartupValidator>()?.Validate();
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
    public static string? Reason(Exception ex) => Problems(ex) is { } problems ? string.Join("; ", problems) : null;

    // The same, one problem at a time (check-config prints one per line).
    public static IReadOnlyList<string>? Problems(Exception ex) => ex switch
    {
        Storage.SchemaTooNewException s => [OneLine(s.Message)],
        InvalidSettingsException s => s.Problems.Select(OneLine).Distinct().ToList(),
        OptionsValidationException o => o.Failures.Select(OneLine).Distinct().ToList(),
        AggregateException { InnerExceptions.Count: > 0 } a when a.InnerExceptions.Select(Problems).ToList() is var lists && lists.All(l => l is not null) =>
            lists.SelectMany(l => l!).Distinct().ToList(),
        InvalidOperationException { InnerException: not null } i when i.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            [OneLine(i.Message)],
        // Kestrel: "Failed to bind to address http://127.0.0.1:8080: address already in use."
        IOException { InnerException: AddressInUseException } io =>
            [$"{OneLine(io.Message).TrimEnd('.')}: another process listens there. Stop it, or listen elsewhere with ASPNETCORE_URLS (--urls) or ASPNETCORE_HTTP_PORTS"],
        _ => null,
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
