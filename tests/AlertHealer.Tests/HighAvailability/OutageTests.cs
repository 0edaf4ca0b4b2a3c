using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure.Postgres;
using Xunit.Abstractions;

namespace AlertHealer.Tests.HighAvailability;

// The database going away and coming back, and a replica asked to stop (a rollout, a drained
// node) while Alertmanager keeps delivering.
[Collection(HighAvailabilityCollection.Name)]
public sealed class OutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PostgresOutageAnswers503ThenRecoversWithoutARestart()
    {
        // Its own server: stopping the shared one would fail every other test using it.
        var server = await PostgresServer.StartNewAsync();
        await using var replicas = await Replicas.StartAsync(server);
        var a = await replicas.StartAsync("alerthealer-a");
        using (var ready = await a.Anonymous.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var pid = a.Process.Id;

        await server.StopAsync();

        var refusing = Stopwatch.StartNew();
        using (var refused = await a.PostAlertAsync(Replicas.Incident("8d3e4f5061728394")))
        {
            output.WriteLine($"the webhook answered {(int)refused.StatusCode} in {refusing.ElapsedMilliseconds} ms with PostgreSQL stopped");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter is not null, "Retry-After tells Alertmanager when to send again");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("could not be stored", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var ready = await a.Anonymous.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("store unavailable", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        foreach (var (client, request) in new (HttpClient, Func<HttpClient, Task<HttpResponseMessage>>)[]
        {
            (a.Reader, c => c.GetAsync("/audit")),
            (a.Reader, c => c.GetAsync("/policies")),
            (a.Operator, c => c.PostAsync("/remediate", new StringContent("""{"policy":"whisker","reason":"during the outage"}""", Encoding.UTF8, "application/json"))),
        })
        {
            using var response = await request(client);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Empty(replicas.Kube.Deletes());

        await server.StartAsync();
        var sinceStart = Stopwatch.StartNew();
        await Replicas.EventuallyAsync(async () =>
        {
            using var ready = await a.Anonymous.GetAsync("/readyz");
            return ready.StatusCode == HttpStatusCode.OK ? ready.StatusCode.ToString() : null;
        }, TimeSpan.FromSeconds(20), "/readyz answered 200 again");
        output.WriteLine($"/readyz answered 200 {sinceStart.Elapsed.TotalSeconds:F1} s after PostgreSQL was started again");

        // The same process, never restarted: it reconnected on its own.
        Assert.False(a.Process.HasExited, $"pid {pid} exited");
        Assert.Single(Regex.Matches(a.Process.Output, "Application started"));
        using (var accepted = await a.PostAlertAsync(Replicas.Incident("9e4f506172839405")))
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var restarted = await Replicas.EventuallyAsync(async () => (await a.AuditAsync()).FirstOrDefault(e => e.Outcome == Outcomes.Restarted),
            TimeSpan.FromSeconds(30), "the alert sent after recovery was acted on");
        Assert.Equal("9e4f506172839405", restarted.Alert!.Fingerprint);
        Assert.Single(replicas.Kube.Deletes());
        Assert.DoesNotContain(await a.AuditAsync(), e => e.Alert?.Fingerprint == "8d3e4f5061728394");
    }

    // Alertmanager delivers to the Service: a refused connection or a 503 is sent again, and the
    // Service then routes it to the replica that is still ready.
    [Fact]
    public async Task SigtermDuringAStreamOfDeliveriesLosesNothing()
    {
        const int Deliveries = 60;
        await using var replicas = await Replicas.StartAsync();
        var started = await replicas.StartAsync("alerthealer-a", "alerthealer-b");
        var (a, b) = (started[0], started[1]);
        var answers = new ConcurrentQueue<(string Replica, int Status)>();
        var acceptedBy = new ConcurrentDictionary<string, string>();

        async Task DeliverAsync(int i)
        {
            // Distinct incidents; every fifth is the wedge, the rest match no policy.
            var fingerprint = $"5e{i:x14}";
            var body = i % 5 == 0 ? Replicas.Incident(fingerprint) : Replicas.Unmatched(fingerprint);
            foreach (var replica in new[] { i % 2 == 0 ? a : b, b, b, b })
            {
                try
                {
                    using var response = await replica.PostAlertAsync(body);
                    answers.Enqueue((replica.Identity, (int)response.StatusCode));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        acceptedBy[fingerprint] = replica.Identity;
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    answers.Enqueue((replica.Identity, 0));
                }
                await Task.Delay(100);
            }
        }

        async Task<(int Code, TimeSpan After)> TerminateAsync()
        {
            var sinceSigterm = Stopwatch.StartNew();
            // Throws if the process is still running after the 10 s shutdown bound.
            var code = await a.Process.TerminateAsync(TimeSpan.FromSeconds(10));
            return (code, sinceSigterm.Elapsed);
        }

        var sent = new List<Task>();
        Task<(int Code, TimeSpan After)>? terminated = null;
        for (var i = 0; i < Deliveries; i++)
        {
            if (i == Deliveries / 3) terminated = TerminateAsync();
            sent.Add(DeliverAsync(i));
            await Task.Delay(100);
        }
        await Task.WhenAll(sent);
        var (exitCode, exitedAfter) = await terminated!;
        output.WriteLine($"{a.Identity} exited with {exitCode} {exitedAfter.TotalSeconds:F1} s after SIGTERM");

        Assert.Equal(0, exitCode);
        Assert.True(exitedAfter < TimeSpan.FromSeconds(10), $"exited after {exitedAfter}");
        Assert.DoesNotContain(answers, x => x.Status >= 500 && x.Status != 503);
        Assert.Equal(Deliveries, acceptedBy.Count);
        var byA = acceptedBy.Count(x => x.Value == a.Identity);
        var redirected = answers.Count(x => x.Replica == a.Identity && x.Status != 200);
        output.WriteLine($"{byA} deliveries acknowledged by {a.Identity}, {Deliveries - byA} by {b.Identity}; {redirected} refused by {a.Identity} and sent again");
        Assert.True(byA > 0 && redirected > 0, "SIGTERM came in the middle of the stream");

        // Nothing acknowledged is lost: each incident has its decision, read through B.
        var entries = await Replicas.EventuallyAsync(async () =>
        {
            var all = await b.AuditAsync();
            return acceptedBy.Keys.All(f => all.Any(e => e.Alert?.Fingerprint == f)) ? all : null;
        }, TimeSpan.FromSeconds(30), "every acknowledged delivery was decided");
        Assert.True(entries.Count + entries.Sum(e => e.Duplicates) >= Deliveries, "each acknowledgement is an entry or a duplicate count");
        Assert.All(await replicas.InboxAsync(), row => Assert.Equal("done", row.State));
        Assert.Single(replicas.Kube.Deletes());
        Assert.Single(entries, e => e.Outcome == Outcomes.Restarted);
    }
}
