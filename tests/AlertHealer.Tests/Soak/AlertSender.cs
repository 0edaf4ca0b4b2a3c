using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Soak;

// One incident: Alertmanager's fingerprint + startsAt, optionally naming the pod.
public sealed class Incident(string fingerprint, DateTimeOffset startsAt, string? pod)
{
    public string Fingerprint { get; } = fingerprint;
    public DateTimeOffset StartsAt { get; } = startsAt;
    public string? Pod { get; } = pod;
    public bool Resolved { get; set; }

    public override string ToString() => $"{Fingerprint}@{StartsAt:HH:mm:ss.fff}{(Pod is null ? "" : $" pod={Pod}")}";
}

public sealed record AlertKey(string Fingerprint, DateTimeOffset StartsAt, string Status)
{
    public override string ToString() => $"{Fingerprint}@{StartsAt:HH:mm:ss.fff}/{Status}";
}

// What the service acknowledged for one alert: stored (queued), counted as a duplicate, or
// delivered with no answer (ambiguous: stored or not).
public sealed class Tally
{
    public int Queued { get; set; }
    public int Duplicate { get; set; }
    public int Ambiguous { get; set; }
}

// Sends deliveries as Alertmanager does: 200 is acknowledged; 503, a reset or no answer is
// sent again after a pause until acknowledged or given up. target names the replica each attempt
// goes to (null while none runs), as a Service spreads Alertmanager's deliveries.
public sealed class AlertSender(Func<Uri?> target, SoakLog log, ResponseLog responses) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };
    private readonly Dictionary<AlertKey, Tally> _tallies = [];
    private int _deliveries;
    private int _open;

    // Runs after each acknowledgement (a kill may be armed for that moment).
    public Func<Task>? AfterAck { get; set; }

    public int Open => Volatile.Read(ref _open);

    public IReadOnlyDictionary<AlertKey, Tally> Tallies
    {
        get { lock (_tallies) return new Dictionary<AlertKey, Tally>(_tallies); }
    }

    public async Task DeliverAsync(IReadOnlyList<(Incident Incident, string Status)> alerts, Func<TimeSpan> pause, CancellationToken giveUp)
    {
        var id = Interlocked.Increment(ref _deliveries);
        Interlocked.Increment(ref _open);
        var keys = alerts.Select(a => new AlertKey(a.Incident.Fingerprint, a.Incident.StartsAt, a.Status)).ToList();
        var body = Body(alerts);
        var what = $"delivery {id} [{string.Join(", ", keys)}]";
        try
        {
            for (var attempt = 1; !giveUp.IsCancellationRequested; attempt++)
            {
                if (target() is not { } address)
                {
                    attempt--;
                    await Pause(pause(), giveUp);
                    continue;
                }
                if (await TryOnceAsync(address, body, keys, $"{what} attempt {attempt}")) return;
                await Pause(pause(), giveUp);
            }
            log.Add("driver", $"{what} given up unacknowledged");
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task<bool> TryOnceAsync(Uri address, string body, List<AlertKey> keys, string what)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "webhook/alertmanager"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", TestApp.WebhookToken);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // The service may have stored it before it died: Alertmanager cannot know either.
            lock (_tallies) foreach (var k in keys) Get(k).Ambiguous++;
            log.Add("driver", $"{what}: no answer ({e.GetType().Name}: {e.Message})");
            return false;
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            responses.Add("POST /webhook/alertmanager", (int)response.StatusCode, text, response.Headers.RetryAfter is not null);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // A 503 for a commit whose answer PostgreSQL never sent (the soak cuts such
                // connections) may come after the alert was stored: the service cannot know either.
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable) lock (_tallies) foreach (var k in keys) Get(k).Ambiguous++;
                log.Add("driver", $"{what}: {(int)response.StatusCode} {Excerpt(text)}");
                return false;
            }
            var acks = JsonNode.Parse(text)!["alerts"]!.AsArray();
            lock (_tallies)
            {
                for (var i = 0; i < keys.Count; i++)
                {
                    var queued = acks[i]!["disposition"]!.GetValue<string>() == "queued";
                    if (queued) Get(keys[i]).Queued++;
                    else Get(keys[i]).Duplicate++;
                }
            }
            log.Add("driver", $"{what}: 200 {string.Join(", ", acks.Select(a => $"{a!["disposition"]}{(a["inboxId"] is { } n ? $" (inbox {n})" : "")}"))}");
        }
        if (AfterAck is { } after) await after();
        return true;
    }

    private Tally Get(AlertKey key)
    {
        if (!_tallies.TryGetValue(key, out var tally)) _tallies[key] = tally = new Tally();
        return tally;
    }

    private static async Task Pause(TimeSpan pause, CancellationToken ct)
    {
        try { await Task.Delay(pause, ct); }
        catch (OperationCanceledException) { }
    }

    // The real Alertmanager delivery, one alert per incident given.
    private static string Body(IReadOnlyList<(Incident Incident, string Status)> alerts)
    {
        var root = Fixtures.FiringJson;
        var template = root["alerts"]![0]!.ToJsonString();
        var array = new JsonArray();
        foreach (var (incident, status) in alerts)
        {
            var alert = JsonNode.Parse(template)!.AsObject();
            alert["fingerprint"] = incident.Fingerprint;
            alert["status"] = status;
            alert["startsAt"] = Rfc3339(incident.StartsAt);
            alert["endsAt"] = status == "resolved" ? Rfc3339(DateTimeOffset.UtcNow) : "0001-01-01T00:00:00Z";
            var labels = alert["labels"]!.AsObject();
            if (incident.Pod is { } pod) labels["pod"] = pod;
            else labels.Remove("pod");
            array.Add(alert);
        }
        root["alerts"] = array;
        root["status"] = alerts.Any(a => a.Status == "firing") ? "firing" : "resolved";
        return root.ToJsonString();
    }

    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Excerpt(string text) => text.Length <= 240 ? text : text[..240] + "…";

    public void Dispose() => _http.Dispose();
}
