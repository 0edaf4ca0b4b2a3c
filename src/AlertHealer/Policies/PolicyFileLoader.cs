using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace AlertHealer.Policies;

public sealed record PolicyLoad(HealerOptions? Options, IReadOnlyList<string> Errors);

// Reads AlertHealer:PolicyFile, a JSON file shaped like appsettings.json that holds only
// AlertHealer:Policies. When it is set, its policies replace those of the settings files (the
// shipped whisker included), so removing a policy from the ConfigMap removes it; environment
// variables and the command line still override single keys, as they do over every file.
public sealed class PolicyFileLoader(IConfiguration configuration, IEnumerable<IValidateOptions<HealerOptions>> validators)
{
    public const string Key = $"{HealerOptions.Section}:{nameof(HealerOptions.PolicyFile)}";
    private const string PoliciesKey = $"{HealerOptions.Section}:Policies";

    // Hash of the file the start read (null without a file).
    public string? StartHash { get; private set; }

    // At start, as part of building HealerOptions; ValidateOnStart then checks the result.
    public void UseAtStart(HealerOptions options)
    {
        if (options.PolicyFile is not { Length: > 0 } path) return;
        var content = Read(path, out var readError);
        var errors = new List<string>();
        if (content is null) errors.Add(readError!);
        else if (FromFile(content, path, errors) is { } policies) options.Policies = policies;
        if (errors.Count > 0) throw new OptionsValidationException(Options.DefaultName, typeof(HealerOptions), errors);
        StartHash = HashOf(content!);
    }

    // Everything a start checks, on a changed file: the file's shape, binding, and every
    // validator of HealerOptions. Null Options means the file is refused.
    public PolicyLoad Load(byte[] content, string path)
    {
        var errors = new List<string>();
        var candidate = new HealerOptions();
        try
        {
            configuration.GetSection(HealerOptions.Section).Bind(candidate);
            if (FromFile(content, path, errors) is { } policies) candidate.Policies = policies;
        }
        catch (InvalidOperationException ex) when (Hosting.StartupRefusal.Reason(ex) is { } reason)
        {
            errors.Add(reason);
        }
        if (errors.Count == 0) errors.AddRange(Configuration.SettingsCheck.Validate(validators, candidate));
        return new PolicyLoad(errors.Count == 0 ? candidate : null, errors);
    }

    public static byte[]? Read(string path, out string? error)
    {
        try
        {
            // Follows the ..data symlink of a ConfigMap directory mount.
            error = null;
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"{Key}: cannot read '{path}': {ex.Message}";
            return null;
        }
    }

    public static string HashOf(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static string HashOf(IReadOnlyDictionary<string, PolicyOptions> policies) =>
        HashOf(JsonSerializer.SerializeToUtf8Bytes(policies.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(),
            Storage.StoreJsonContext.Default.DictionaryStringPolicyOptions));

    private Dictionary<string, PolicyOptions>? FromFile(byte[] content, string path, List<string> errors)
    {
        IConfigurationRoot parsed;
        try
        {
            parsed = new ConfigurationBuilder().Add(new JsonStreamConfigurationSource { Stream = new MemoryStream(content) }).Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or JsonException)
        {
            errors.Add($"{Key}: '{path}' is not a JSON settings file: {(ex.InnerException ?? ex).Message.ReplaceLineEndings(" ")}");
            return null;
        }
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in parsed.AsEnumerable())
        {
            if (IsPolicyKey(key)) data[key] = value;
            else if (value is not null) errors.Add($"{Key}: '{path}' sets {key}; a policy file holds only {PoliciesKey}");
        }
        if (errors.Count > 0) return null;
        // The command line and environment variables override the file, key by key.
        var composed = new ConfigurationBuilder().AddInMemoryCollection(data).AddInMemoryCollection(Overrides()).Build();
        // The strict reading a start gives every setting: an unknown key or a value that does
        // not convert refuses the file, instead of the binder dropping that policy.
        if (Configuration.SettingsCheck.Problems(composed) is { Count: > 0 } problems)
        {
            errors.AddRange(problems);
            return null;
        }
        var policies = new Dictionary<string, PolicyOptions>(StringComparer.Ordinal);
        composed.GetSection(PoliciesKey).Bind(policies);
        return policies;
    }

    private static bool IsPolicyKey(string key) =>
        key.Equals(HealerOptions.Section, StringComparison.OrdinalIgnoreCase) || key.Equals(PoliciesKey, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith(PoliciesKey + ":", StringComparison.OrdinalIgnoreCase);

    // Policy keys from every source that is not a settings file.
    private IEnumerable<KeyValuePair<string, string?>> Overrides() =>
        configuration is IConfigurationRoot root
            ? root.Providers.Where(p => p is not FileConfigurationProvider).SelectMany(p => Leaves(p, PoliciesKey))
            : [];

    private static IEnumerable<KeyValuePair<string, string?>> Leaves(IConfigurationProvider provider, string path)
    {
        foreach (var child in provider.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var key = $"{path}:{child}";
            if (provider.TryGet(key, out var value)) yield return new(key, value);
            foreach (var leaf in Leaves(provider, key)) yield return leaf;
        }
    }
}
