using Refit;

namespace AlertHealer.Loki;

// Loki's HTTP API, the part the healer reads. X-Scope-OrgID is added by LokiTenantHandler.
public interface ILokiApi
{
    // Instant query. time: RFC3339 or Unix nanoseconds; limit only matters for log queries.
    [Get("/loki/api/v1/query")]
    Task<LokiQueryResponse> QueryAsync(string query, string time, int? limit, CancellationToken ct);
}
