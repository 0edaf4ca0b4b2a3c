using System.Text.RegularExpressions;

namespace AlertHealer.Loki;

// Fills $namespace and $pod into a policy's LogQL. Only Kubernetes names are accepted and
// they are escaped for a double-quoted LogQL string anyway, so a value can never end the
// string it is placed in.
public static partial class SignalQuery
{
    public static bool IsLabelSafe(string value) => value.Length <= 253 && KubernetesName().IsMatch(value);

    public static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    // One pass, so a value is never itself searched for placeholders.
    public static string Render(string template, string ns, string pod)
    {
        if (!IsLabelSafe(ns)) throw new ArgumentException($"'{ns}' is not a Kubernetes namespace name", nameof(ns));
        if (!IsLabelSafe(pod)) throw new ArgumentException($"'{pod}' is not a Kubernetes pod name", nameof(pod));
        return Placeholder().Replace(template, m => Escape(m.Groups[1].Value == "namespace" ? ns : pod));
    }

    // \z, not $: $ also matches before a trailing newline.
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\z")]
    private static partial Regex KubernetesName();

    [GeneratedRegex(@"\$(namespace|pod)\b")]
    private static partial Regex Placeholder();
}
