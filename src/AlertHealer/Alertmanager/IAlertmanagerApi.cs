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
}
