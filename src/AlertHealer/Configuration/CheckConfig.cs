using AlertHealer.Hosting;
using AlertHealer.Loki;
using AlertHealer.Policies;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace AlertHealer.Configuration;

// `dotnet AlertHealer.dll check-config [--file PATH]…`: the configuration a start would read
// (appsettings.json, appsettings.{Environment}.json, the environment, the command line) plus
// each file, checked by every validation a start runs (StartupRefusal.Validate), without
// starting anything or calling a cluster. One line per policy when all is well; each problem
// with its key otherwise, and exit code 1.
public static class CheckConfig
{
    public const string Command = "check-config";

    public sealed record Request(IReadOnlyList<string> Files, List<string> Problems);

    // Takes the command and its --file arguments out of args; the rest (--AlertHealer:DryRun=true, …)
    // configures as it would on a start.
    public static string[] Strip(string[] args, out Request? request)
    {
        request = null;
        if (args is not [Command, ..]) return args;
        var (files, problems, rest) = (new List<string>(), new List<string>(), new List<string>());
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "--file" && i + 1 < args.Length) files.Add(Path.GetFullPath(args[++i]));
            else if (args[i].StartsWith("--file=", StringComparison.Ordinal)) files.Add(Path.GetFullPath(args[i]["--file=".Length..]));
            else if (args[i] is "--file") problems.Add("--file needs a path");
            else rest.Add(args[i]);
        }
        request = new Request(files, problems);
        return rest.ToArray();
    }

    // Each file is read like one more appsettings file: after appsettings.{Environment}.json,
    // so the environment and the command line still win, as they would over a mounted file.
    public static WebApplicationBuilder AddCheckConfig(this WebApplicationBuilder builder, Request? request)
    {
        if (request is null) return builder;
        builder.Logging.ClearProviders();
        var sources = builder.Configuration.Sources;
        var at = sources.Select((s, i) => (s, i)).LastOrDefault(x => x.s is JsonConfigurationSource).i + 1;
        foreach (var file in request.Files)
        {
            if (!File.Exists(file))
            {
                request.Problems.Add($"--file {file} does not exist");
                continue;
            }
            var json = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false);
            try
            {
                json.Build();
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
            {
                request.Problems.Add($"--file {file}: {(ex.InnerException ?? ex).Message.ReplaceLineEndings(" ")}");
                continue;
            }
            sources.Insert(at++, json.Sources[0]);
        }
        return builder;
    }

    public static async Task<int> CheckConfigAsync(this WebApplication app, Request request, TextWriter output, TextWriter error)
    {
        var problems = new List<string>(request.Problems);
        if (problems.Count == 0)
        {
            try
            {
                StartupRefusal.Validate(app);
            }
            catch (Exception ex) when (StartupRefusal.Problems(ex) is { } found)
            {
                problems.AddRange(found);
            }
        }
        if (problems.Count > 0)
        {
            await ReportAsync(problems, error);
            await app.DisposeAsync();
            return StartupRefusal.ExitCode;
        }
        if (RenamedSettings.Warning(app.Configuration) is { } renamed) await output.WriteLineAsync($"warning: {renamed}");
        var healer = app.Services.GetRequiredService<IOptions<HealerOptions>>().Value;
        var loki = app.Services.GetRequiredService<IOptions<LokiOptions>>().Value;
        foreach (var (name, policy) in healer.Policies.OrderBy(p => p.Key, StringComparer.Ordinal))
            await output.WriteLineAsync(Summary(name, policy, healer.DryRun, loki.Enabled));
        await output.WriteLineAsync($"{Command}: the settings are valid; AlertHealer would start with {healer.Policies.Count} {(healer.Policies.Count == 1 ? "policy" : "policies")}");
        await app.DisposeAsync();
        return 0;
    }

    public static async Task ReportAsync(IEnumerable<string> problems, TextWriter error)
    {
        var distinct = problems.Distinct().ToList();
        foreach (var problem in distinct) await error.WriteLineAsync(problem);
        await error.WriteLineAsync($"{Command}: {distinct.Count} {(distinct.Count == 1 ? "problem" : "problems")}; AlertHealer would refuse to start");
    }

    private static string Summary(string name, PolicyOptions p, bool dryRun, bool lokiEnabled)
    {
        var mode = dryRun ? $"{PolicyMode.DryRun} ({HealerOptions.Section}:DryRun)" : p.Mode.ToString();
        var match = string.Join(", ", p.Match.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"));
        var guard = p.Dependency is { } d ? $" once {d.Namespace}/{d.Selector} has been Ready for {d.MinReadyFor}" : " (no dependency guard)";
        var signal = p.Signal switch
        {
            null => "no log re-check",
            _ when !lokiEnabled => $"log re-check off ({LokiOptions.Section}:BaseUrl is not set)",
            { } s => $"log re-check in Loki at >= {s.Threshold}{(s.FailOpen ? ", fail open" : ", fail closed")}",
        };
        return $"policy {name}: {mode}; alerts with {match}; deletes a pod of {p.Target}{guard}; " +
            $"cooldown {p.Cooldown} up to {p.MaxCooldown}; at most {p.MaxAttempts} attempts; {signal}";
    }
}
