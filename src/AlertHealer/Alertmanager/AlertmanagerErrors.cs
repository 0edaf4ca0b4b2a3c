using Polly.Timeout;
using Refit;

namespace AlertHealer.Alertmanager;

internal static class AlertmanagerErrors
{
    // Status and body for an answer, the transport's reason otherwise.
    public static string Describe(Exception ex) => ex switch
    {
        ApiException api when (int)api.StatusCode >= 400 => $"answered {(int)api.StatusCode}: {Trim(api.Content)}",
        ApiRequestException { InnerException: TimeoutRejectedException t } => $"timed out after {t.Timeout}",
        ApiRequestException or ApiException when ex.InnerException is { } cause => cause.Message,
        _ => ex.Message,
    };

    private static string Trim(string? body) =>
        string.IsNullOrWhiteSpace(body) ? "(no body)" : body.Length <= 200 ? body.Trim() : body[..200].Trim() + "...";
}
