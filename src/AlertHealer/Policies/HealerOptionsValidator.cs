using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AlertHealer.Policies;

// Names the exact key that is wrong, so a bad ConfigMap fails loudly at startup.
public sealed partial class HealerOptionsValidator(IHostEnvironment environment) : IValidateOptions<HealerOptions>
{
    public ValidateOptionsResult Validate(string? name, HealerOptions options)
    {
        var errors = new List<string>();
        if (options.Policies.Count == 0) errors.Add($"{HealerOptions.Section}:Policies must define at least one policy{MissingSettingsFile()}");
        if (options.PolicyFilePollInterval <= TimeSpan.Zero) errors.Add($"{HealerOptions.Section}:PolicyFilePollInterval must be positive");
        foreach (var (policyName, p) in options.Policies)
        {
            var key = $"{HealerOptions.Section}:Policies:{policyName}";
            if (!PolicyName().IsMatch(policyName)) errors.Add($"{key}: policy names are lowercase letters, digits and '-'");
            if (p.Match.Count == 0) errors.Add($"{key}:Match must name at least one alert label");
            CheckSelector(errors, $"{key}:Target", p.Target.Namespace, p.Target.Selector);
            if (p.Dependency is { } d)
            {
                CheckSelector(errors, $"{key}:Dependency", d.Namespace, d.Selector);
                if (d.MinReadyFor < TimeSpan.Zero) errors.Add($"{key}:Dependency:MinReadyFor must not be negative");
            }
            if (p.Cooldown <= TimeSpan.Zero) errors.Add($"{key}:Cooldown must be positive");
            if (p.MaxCooldown < p.Cooldown) errors.Add($"{key}:MaxCooldown must be at least Cooldown");
            if (p.HealthyResetAfter <= TimeSpan.Zero) errors.Add($"{key}:HealthyResetAfter must be positive");
            if (p.MaxAttempts is < 1 or > 100) errors.Add($"{key}:MaxAttempts must be between 1 and 100");
            if (p.VerifyTimeout <= TimeSpan.Zero) errors.Add($"{key}:VerifyTimeout must be positive");
        }
        Overlaps(errors, options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Two policies whose Match labels never disagree both match an alert carrying all their
    // labels; only the first by name would ever act on it, silently.
    private static void Overlaps(List<string> errors, HealerOptions options)
    {
        var policies = options.Policies.Where(p => p.Value.Match.Count > 0).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        for (var i = 0; i < policies.Count; i++)
        for (var j = i + 1; j < policies.Count; j++)
        {
            var (a, b) = (policies[i], policies[j]);
            if (a.Value.Match.Any(m => b.Value.Match.TryGetValue(m.Key, out var v) && v != m.Value)) continue;
            var labels = a.Value.Match.Concat(b.Value.Match).DistinctBy(m => m.Key).OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}");
            errors.Add($"{HealerOptions.Section}:Policies:{b.Key}:Match and {HealerOptions.Section}:Policies:{a.Key}:Match both match an alert with {string.Join(", ", labels)}; " +
                "give each policy a label value the other does not accept");
        }
    }

    // The shipped policy lives in appsettings.json: say so when the content root has none.
    private string MissingSettingsFile()
    {
        var root = environment.ContentRootPath;
        return File.Exists(Path.Combine(root, Hosting.ContentRoot.SettingsFile)) ? ""
            : $" (the shipped 'whisker' policy is in {Hosting.ContentRoot.SettingsFile}, and the content root '{root}' has none: start from AlertHealer's folder or set --contentRoot)";
    }

    private static void CheckSelector(List<string> errors, string key, string ns, string selector)
    {
        if (!DnsLabel().IsMatch(ns)) errors.Add($"{key}:Namespace must be a Kubernetes namespace name");
        if (string.IsNullOrWhiteSpace(selector) || !Selector().IsMatch(selector))
            errors.Add($"{key}:Selector must be equality terms like 'k8s-app=whisker' (a selector that matches everything is refused)");
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\z")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex PolicyName();

    [GeneratedRegex(@"^[A-Za-z0-9._/-]+!?==?[A-Za-z0-9._-]*(,[A-Za-z0-9._/-]+!?==?[A-Za-z0-9._-]*)*\z")]
    private static partial Regex Selector();
}
