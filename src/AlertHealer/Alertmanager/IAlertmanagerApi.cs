using Refit;

namespace AlertHealer.Alertmanager;

public interface IAlertmanagerApi
{
    public const string SilencesPath = "/api/v2/silences";

    // Idempotent: re-posting the same labels updates the one alert.
    [Post("/api/v2/alerts")]
    Task PostAlertsAsync([Body] List<PostableAlert> alerts, CancellationToken ct);

    // Not idempotent: every post creates a silence, so it is never retried.
    [Post(SilencesPath)]
    Task<SilenceCreated> PostSilenceAsync([Body] PostableSilence silence, CancellationToken ct);

    // Read by the preflight: the answer itself is not used, only that the API answers 200.
    [Get("/api/v2/status")]
    Task<HttpResponseMessage> GetStatusAsync(CancellationToken ct);
}
