using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Soak;

public sealed record ServiceResponse(DateTimeOffset At, string Endpoint, int Status, string Body, bool RetryAfter = false);

// Every answer the service gave to the soak, for "no 500 from any endpoint".
public sealed class ResponseLog
{
    private readonly List<ServiceResponse> _responses = [];

    public void Add(string endpoint, int status, string body, bool retryAfter = false)
    {
        lock (_responses) _responses.Add(new ServiceResponse(DateTimeOffset.UtcNow, endpoint, status, AlertSender.Excerpt(body), retryAfter));
    }

    public IReadOnlyList<ServiceResponse> All
    {
        get { lock (_responses) return [.. _responses]; }
    }
}

// Reads the whole audit log (and /metrics, /readyz, /policies) over and over while the soak
// runs, and remembers every entry the first time it was seen: an entry that disappears or
// changes (other than its verification and duplicates) is caught when it happens. target names
// the replica each pass reads through (null while none runs).
public sealed class AuditWatcher(Func<Uri?> target, SoakLog log, ResponseLog responses) : IDisposable
{
    private static readonly string[] Mutable = ["verification", "verificationDetail", "duplicates"];
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };
    private readonly Dictionary<long, (string Fixed, AuditEntry Entry)> _seen = [];
    private readonly List<(DateTimeOffset At, string Problem)> _problems = [];
    private readonly Dictionary<long, DateTimeOffset> _firstSeen = [];
    private long _maxId;

    public IReadOnlyList<AuditEntry> Latest { get; private set; } = [];

    public int? InboxDepth { get; private set; }

    // When each entry was first read, on the soak's clock: an entry's own time is its writer's
    // clock, which a skewed replica sets apart from the soak's.
    public IReadOnlyDictionary<long, DateTimeOffset> FirstSeen => _firstSeen;

    // Entries that vanished, changed, or appeared below ones seen earlier.
    public IReadOnlyList<(DateTimeOffset At, string Problem)> Problems => _problems;

    public async Task RunAsync(TimeSpan every, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await PollAsync();
            try { await Task.Delay(every, stop); }
            catch (OperationCanceledException) { break; }
        }
    }

    // One pass: the whole audit log page by page, then the other read endpoints. True when the audit was read whole.
    public async Task<bool> PollAsync()
    {
        if (target() is not { } address) return false;
        // Depth first: when it reads 0, every decision made so far is in the audit read after it.
        var metrics = await GetAsync(address, "metrics", token: null);
        InboxDepth = metrics is { } text && MetricValue(text, "alerthealer_inbox_depth") is { } depth ? (int)depth : null;
        var entries = await ReadAuditAsync(address);
        if (entries is not null) Compare(entries);
        await GetAsync(address, "readyz", token: null);
        await GetAsync(address, "policies", TestApp.ReaderToken);
        return entries is not null;
    }

    // The whole audit log as one replica serves it, each entry as its JSON text; null if it could not be read.
    public async Task<IReadOnlyList<string>?> RawAuditAsync(Uri address) =>
        await ReadAuditAsync(address) is { } entries ? [.. entries.Select(e => e.Raw.ToJsonString())] : null;

    private async Task<List<(JsonObject Raw, AuditEntry Entry)>?> ReadAuditAsync(Uri address)
    {
        var all = new List<(JsonObject, AuditEntry)>();
        string? cursor = null;
        do
        {
            var text = await GetAsync(address, "audit?limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), TestApp.ReaderToken);
            if (text is null) return null;
            var page = JsonNode.Parse(text)!.AsObject();
            foreach (var item in page["items"]!.AsArray())
            {
                all.Add((item!.AsObject(), item.Deserialize<AuditEntry>(Json.Options)!));
            }
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return all;
    }

    private void Compare(List<(JsonObject Raw, AuditEntry Entry)> entries)
    {
        var now = DateTimeOffset.UtcNow;
        var ids = entries.Select(e => e.Entry.Id).ToList();
        for (var i = 1; i < ids.Count; i++)
        {
            if (ids[i] >= ids[i - 1]) _problems.Add((now, $"audit ids not strictly decreasing newest-first: {ids[i - 1]} then {ids[i]}"));
        }
        var present = ids.ToHashSet();
        foreach (var (id, earlier) in _seen)
        {
            if (!present.Contains(id)) _problems.Add((now, $"audit entry #{id} ({earlier.Entry.Outcome}) seen earlier is gone"));
        }
        var previousMax = _maxId;
        foreach (var (raw, entry) in entries)
        {
            _firstSeen.TryAdd(entry.Id, now);
            var fixedPart = Fixed(raw);
            var wasPending = false;
            if (_seen.TryGetValue(entry.Id, out var earlier))
            {
                wasPending = earlier.Entry.Verification == Verifications.Pending;
                if (earlier.Fixed != fixedPart) _problems.Add((now, $"audit entry #{entry.Id} changed: was {AlertSender.Excerpt(earlier.Fixed)} now {AlertSender.Excerpt(fixedPart)}"));
                if (entry.Duplicates < earlier.Entry.Duplicates) _problems.Add((now, $"audit entry #{entry.Id} duplicates went down from {earlier.Entry.Duplicates} to {entry.Duplicates}"));
                if (earlier.Entry.Verification is { } v && v != Verifications.Pending && entry.Verification != v)
                    _problems.Add((now, $"audit entry #{entry.Id} verification changed from {v} to {entry.Verification ?? "none"}"));
            }
            else
            {
                if (entry.Id <= previousMax) _problems.Add((now, $"audit entry #{entry.Id} appeared after #{previousMax} was already seen"));
                log.Add("audit", $"#{entry.Id} {Summary(entry)}");
            }
            if (wasPending && entry.Verification != Verifications.Pending)
                log.Add("audit", $"#{entry.Id} verification {entry.Verification}: {entry.VerificationDetail}");
            _seen[entry.Id] = (fixedPart, entry);
            _maxId = Math.Max(_maxId, entry.Id);
        }
        Latest = [.. entries.Select(e => e.Entry)];
    }

    public static string Summary(AuditEntry e) =>
        $"{e.Outcome}{(e.Verification is { } v ? $"/{v}" : "")} {e.Alert?.Fingerprint}@{e.Alert?.StartsAt:HH:mm:ss.fff}/{e.Alert?.Status}"
        + (e.Action is { } a ? $" pod {a.Pod} uid {a.Uid}" : "") + (e.Error is { } err ? $" error: {AlertSender.Excerpt(err)}" : "");

    private static string Fixed(JsonObject raw)
    {
        var copy = raw.DeepClone().AsObject();
        foreach (var name in Mutable) copy.Remove(name);
        return copy.ToJsonString();
    }

    private async Task<string?> GetAsync(Uri address, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, path));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var endpoint = "GET /" + path.Split('?')[0];
            responses.Add(endpoint, (int)response.StatusCode, text, response.Headers.RetryAfter is not null);
            if ((int)response.StatusCode >= 500 && (int)response.StatusCode != 503)
                log.Add("driver", $"{endpoint}: {(int)response.StatusCode} {AlertSender.Excerpt(text)}");
            return response.IsSuccessStatusCode ? text : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public static double? MetricValue(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal)
                && double.TryParse(line[(name.Length + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        }
        return null;
    }

    public void Dispose() => _http.Dispose();
}
