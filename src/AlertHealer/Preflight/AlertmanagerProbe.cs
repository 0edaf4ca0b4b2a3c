using AlertHealer.Alertmanager;
using Microsoft.Extensions.Options;

namespace AlertHealer.Preflight;

// Whether the configured Alertmanager's API answers (GET /api/v2/status); null when none is configured.
public sealed class AlertmanagerProbe(IAlertmanagerApi api, IOptions<AlertmanagerOptions> options)
{
    public async Task<(bool Ok, string Reason)?> CheckAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Enabled) return null;
        try
        {
            using var response = await api.GetStatusAsync(ct);
            return response.IsSuccessStatusCode
                ? (true, $"Alertmanager at {o.BaseUrl} answered {(int)response.StatusCode}")
                : (false, $"Alertmanager at {o.BaseUrl} answered {(int)response.StatusCode} to GET /api/v2/status");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return (false, $"Alertmanager at {o.BaseUrl} could not be reached: {(ex.InnerException ?? ex).Message}");
        }
    }
}
