using AlertHealer.Policies;
using Microsoft.Extensions.Options;

namespace AlertHealer.Loki;

// Checks each policy's Signal beside the other policy checks, naming the exact key.
public sealed class SignalOptionsValidator : IValidateOptions<HealerOptions>
{
    public ValidateOptionsResult Validate(string? name, HealerOptions options)
    {
        var errors = new List<string>();
        foreach (var (policyName, p) in options.Policies)
        {
            if (p.Signal is not { } s) continue;
            var key = $"{HealerOptions.Section}:Policies:{policyName}:Signal";
            if (string.IsNullOrWhiteSpace(s.Query)) errors.Add($"{key}:Query must be a LogQL instant query (placeholders $namespace and $pod)");
            if (!double.IsFinite(s.Threshold) || s.Threshold <= 0) errors.Add($"{key}:Threshold must be a positive number");
            if (s.VerifyAfter is { } v && v <= TimeSpan.Zero) errors.Add($"{key}:VerifyAfter must be positive (or unset for no check)");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
