using System.Buffers;
using System.Globalization;
using System.Text;
using FluentValidation;
using FluentValidation.Results;

namespace AlertHealer.Security;

// Bounds on what one alert may carry. Alertmanager never comes near them; a body that does is
// not from Alertmanager, and its labels end up in the audit log, logs and metrics.
public static class AlertLimits
{
    public const int MaxLabels = 64;
    public const int MaxLabelNameLength = 128;
    public const int MaxLabelValueLength = 1024;
    public const int MaxAnnotations = 64;
    public const int MaxAnnotationBytes = 8 * 1024;

    // Alertmanager's clock and ours may disagree a little; an hour ahead is no longer skew.
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromHours(1);

    // Before Alertmanager existed: a made-up time, and far enough from DateTimeOffset.MinValue
    // that date arithmetic on it cannot overflow.
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Labels<T>(this IRuleBuilder<T, Dictionary<string, string>?> rule) => rule.Custom((labels, context) =>
    {
        if (labels is null) return;
        if (labels.Count > MaxLabels) { Fail(context, null, $"At most {MaxLabels} labels are allowed."); return; }
        foreach (var (name, value) in labels)
        {
            // Prometheus 3 allows any UTF-8 label name, so only length and printability are
            // checked: refusing a real delivery would lose it (Alertmanager never retries a 4xx).
            if (name.Length is 0 or > MaxLabelNameLength || !IsClean(name))
                Fail(context, null, $"Label name '{Show(name)}' must be 1 to {MaxLabelNameLength} printable characters.");
            else if (value is null) Fail(context, name, "must be a string, not null.");
            else if (value.Length > MaxLabelValueLength) Fail(context, name, $"is longer than {MaxLabelValueLength} characters.");
            else if (!IsClean(value)) Fail(context, name, "contains control, formatting (bidi, zero-width) or invalid Unicode characters.");
        }
    });

    // Annotations are not acted on; they only need to stay small and be strings.
    public static void Annotations<T>(this IRuleBuilder<T, Dictionary<string, string>?> rule) => rule.Custom((annotations, context) =>
    {
        if (annotations is null) return;
        if (annotations.Count > MaxAnnotations) { Fail(context, null, $"At most {MaxAnnotations} annotations are allowed."); return; }
        foreach (var (name, value) in annotations)
        {
            if (name.Length is 0 or > MaxLabelNameLength || !IsClean(name))
                Fail(context, null, $"Annotation name '{Show(name)}' must be 1 to {MaxLabelNameLength} printable characters.");
            else if (value is null) Fail(context, name, "must be a string, not null.");
            else if (Encoding.UTF8.GetByteCount(value) > MaxAnnotationBytes) Fail(context, name, $"is larger than {MaxAnnotationBytes} bytes.");
        }
    });

    // Keyed by the full wire path (alerts[0].labels.pod) so the 400 names the entry.
    private static void Fail<T>(ValidationContext<T> context, string? key, string message)
    {
        var path = key is null ? context.PropertyPath : $"{context.PropertyPath}.{key}";
        context.AddFailure(new ValidationFailure(path, key is null ? message : $"'{path}' {message}"));
    }

    // Control and format characters (NUL, newlines, bidi overrides, zero-width) and lone
    // surrogates make a value print as something it is not.
    public static bool IsClean(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var used) != OperationStatus.Done) return false;
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator) return false;
            rest = rest[used..];
        }
        return true;
    }

    // Echoes a bad name safely: printable ASCII only, and short.
    private static string Show(string name)
    {
        var shown = new string(name.Take(40).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        return name.Length > 40 ? shown + "..." : shown;
    }
}
