namespace AlertHealer.Kubernetes;

// Equality-based selectors (k=v, k==v, k!=v joined by commas): what policies may use.
public static class LabelSelectors
{
    public static bool Matches(IReadOnlyDictionary<string, string> labels, string selector) =>
        selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(term =>
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (parts.Length != 2) return false;
            var equal = labels.TryGetValue(parts[0].Trim(), out var value) && value == parts[1].Trim();
            return negate ? !equal : equal;
        });
}
