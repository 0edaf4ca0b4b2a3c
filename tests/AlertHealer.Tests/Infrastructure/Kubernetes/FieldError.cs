using System.Text.RegularExpressions;

namespace AlertHealer.Tests.Infrastructure.Kubernetes;

/// <summary>
/// One field.Error of the API server's validation: the field path, the cause type of the Status
/// (FieldValueRequired, FieldValueInvalid) and the error body as Go formats it.
/// </summary>
internal sealed partial record FieldError(string Field, string Reason, string Body)
{
    private const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    private const string QualifiedNameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    public static FieldError Required(string field, string detail = "") =>
        new(field, "FieldValueRequired", detail.Length == 0 ? "Required value" : $"Required value: {detail}");

    /// <summary>field.Invalid with a string value: <c>Invalid value: "value": detail</c>.</summary>
    public static FieldError Invalid(string field, string value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: \"{value}\": {detail}");

    /// <summary>validation.IsDNS1123Subdomain's messages for <paramref name="value"/>; empty when it is valid.</summary>
    public static IEnumerable<string> Dns1123Subdomain(string value)
    {
        if (value.Length > 253)
        {
            yield return "must be no more than 253 characters";
        }

        if (!Dns1123SubdomainRegex().IsMatch(value))
        {
            yield return RegexError(Dns1123SubdomainMessage, Dns1123SubdomainRegex().ToString()[1..^1], "example.com");
        }
    }

    /// <summary>validation.IsQualifiedName's messages (an optional DNS subdomain prefix and '/', then a name of at most 63 characters).</summary>
    public static IEnumerable<string> QualifiedName(string value)
    {
        var parts = value.Split('/');
        if (parts.Length > 2)
        {
            yield return "a qualified name " + RegexError(QualifiedNameMessage, QualifiedNameRegex().ToString()[1..^1], "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
            yield break;
        }

        if (parts.Length == 2)
        {
            if (parts[0].Length == 0)
            {
                yield return "prefix part must be non-empty";
            }

            foreach (var message in Dns1123Subdomain(parts[0]).Where(_ => parts[0].Length > 0))
            {
                yield return "prefix part " + message;
            }
        }

        var name = parts[^1];
        if (name.Length == 0)
        {
            yield return "name part must be non-empty";
        }
        else if (name.Length > 63)
        {
            yield return "name part must be no more than 63 characters";
        }

        if (!QualifiedNameRegex().IsMatch(name))
        {
            yield return "name part " + RegexError(QualifiedNameMessage, QualifiedNameRegex().ToString()[1..^1], "MyName", "my.name", "123-abc");
        }
    }

    private static string RegexError(string message, string format, params string[] examples) =>
        $"{message} (e.g. {string.Join(" or ", examples.Select(e => $"'{e}',"))} regex used for validation is '{format}')";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNameRegex();
}
