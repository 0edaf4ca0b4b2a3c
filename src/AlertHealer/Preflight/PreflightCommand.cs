using AlertHealer.Hosting;

namespace AlertHealer.Preflight;

// `AlertHealer preflight`: the same checks the service runs, once, as a table. Starts no worker,
// stores nothing, deletes nothing, writes no Event. Exit 0: every check passed; 1: the
// configuration is refused, as at a start; 2: a check failed.
public static class PreflightCommand
{
    public const string Command = "preflight";
    public const int Failed = 2;

    public static bool Matches(string[] args, out string[] rest)
    {
        var matches = args is [Command, ..];
        rest = matches ? args[1..] : args;
        return matches;
    }

    public static async Task<int> RunAsync(WebApplication app, TextWriter output, TextWriter error)
    {
        PreflightRun run;
        try
        {
            // Everything a start checks, as check-config checks it.
            StartupRefusal.Validate(app);
            run = await app.Services.GetRequiredService<PreflightChecks>().RunAsync(CancellationToken.None);
        }
        catch (Exception ex) when (StartupRefusal.Reason(ex) is { } reason)
        {
            await error.WriteLineAsync(StartupRefusal.Prefix + reason);
            return StartupRefusal.ExitCode;
        }
        finally
        {
            await app.DisposeAsync();
        }

        await output.WriteLineAsync(Table(run));
        var failed = run.Checks.Count(c => !c.Ok);
        await output.WriteLineAsync(failed == 0
            ? $"{run.Checks.Count} checks passed"
            : $"{failed} of {run.Checks.Count} checks failed: the policies marked failed cannot act");
        return failed == 0 ? 0 : Failed;
    }

    public static string Table(PreflightRun run)
    {
        string[] header = ["POLICY", "CHECK", "RESULT", "REASON"];
        var rows = run.Checks.Select(c => new[] { c.Policy, c.Check, c.Ok ? "ok" : "failed", c.Reason }).ToList();
        var widths = Enumerable.Range(0, 3).Select(i => rows.Select(r => r[i].Length).Append(header[i].Length).Max()).ToArray();
        string Line(string[] r) => string.Join("  ", r.Take(3).Select((v, i) => v.PadRight(widths[i]))) + "  " + r[3];
        return string.Join(Environment.NewLine, rows.Select(Line).Prepend(Line(header)));
    }
}
