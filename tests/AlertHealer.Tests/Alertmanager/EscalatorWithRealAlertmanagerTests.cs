using System.Diagnostics;
using System.Text.Json.Nodes;
using AlertHealer.Alertmanager;
using AlertHealer.Tests.EndToEnd;
using AlertHealer.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Alertmanager;

// The escalator against the real Alertmanager binary (with the route we ship): it accepts what
// is posted and reads it the way the escalator means it. Alertmanager keeps real time, so the
// healer's clock starts at the real now.
public sealed class EscalatorWithRealAlertmanagerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly Escalation Stuck = new(
        "whisker", EscalationReasons.RestartIneffective, "calico-system/whisker-5b8d6c7f9-x2kqp",
        "whisker: the restart did not heal", "The new pod logged the goldmane errors again within 11m.");

    [Fact]
    public async Task AnEscalationIsActiveInAlertmanagerUntilItIsResolved()
    {
        await using var alertmanager = await AlertmanagerProcess.StartAsync(new Uri("http://127.0.0.1:9/"), "unused-token-0123456789abcdef");
        await using var host = await StartHostAsync(alertmanager);

        await host.Escalator.RaiseAsync(Stuck, host.Token);

        var held = await WaitForAsync(alertmanager, alerts => alerts.SingleOrDefault(IsEscalation), "the escalation to be held");
        Assert.Equal("active", held["status"]!["state"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string>
        {
            ["alertname"] = "AlertHealerEscalation",
            ["policy"] = "whisker",
            ["reason"] = "restart-ineffective",
            ["target"] = "calico-system/whisker-5b8d6c7f9-x2kqp",
            ["severity"] = "critical",
        }, FakeAlertmanager.Labels(held));
        Assert.Equal("https://alerthealer.example.org", held["generatorURL"]!.GetValue<string>());
        Assert.Equal("alerthealer-humans", Assert.Single(held["receivers"]!.AsArray())!["name"]!.GetValue<string>());

        await host.Escalator.ResolveAsync("whisker", host.Token);

        // Alertmanager lists only alerts that have not ended.
        await WaitForAsync(alertmanager, alerts => alerts.Any(IsEscalation) ? null : "gone", "the escalation to end");
    }

    [Fact]
    public async Task ASilenceIsCreatedWithTheMatchersAndTheEnd()
    {
        await using var alertmanager = await AlertmanagerProcess.StartAsync(new Uri("http://127.0.0.1:9/"), "unused-token-0123456789abcdef");
        await using var host = await StartHostAsync(alertmanager);
        var until = host.Time.GetUtcNow().AddHours(2);

        var id = await host.Escalator.SilenceAsync(
            new Dictionary<string, string> { ["alertname"] = "WhiskerBackendWedged", ["pod"] = "whisker-5b8d6c7f9-x2kqp" },
            until, "stale: the pod was already replaced", host.Token);

        Assert.NotNull(id);
        using var http = new HttpClient { BaseAddress = alertmanager.BaseAddress };
        var silence = JsonNode.Parse(await http.GetStringAsync($"api/v2/silence/{id}"))!;
        Assert.Equal("active", silence["status"]!["state"]!.GetValue<string>());
        Assert.Equal("alerthealer", silence["createdBy"]!.GetValue<string>());
        Assert.Equal("stale: the pod was already replaced", silence["comment"]!.GetValue<string>());
        // Alertmanager keeps milliseconds.
        Assert.Equal(until, DateTimeOffset.Parse(silence["endsAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(1));
        var matchers = silence["matchers"]!.AsArray().Select(m => (m!["name"]!.GetValue<string>(), m["value"]!.GetValue<string>(), m["isRegex"]!.GetValue<bool>(), m["isEqual"]!.GetValue<bool>()));
        Assert.Equal([("alertname", "WhiskerBackendWedged", false, true), ("pod", "whisker-5b8d6c7f9-x2kqp", false, true)], matchers.Order());
    }

    private static Task<ClientHost> StartHostAsync(AlertmanagerProcess alertmanager) =>
        ClientHost.StartAsync(new Dictionary<string, string?>
        {
            ["AlertHealer:Alertmanager:BaseUrl"] = alertmanager.BaseAddress.ToString(),
            ["AlertHealer:Alertmanager:ExternalUrl"] = "https://alerthealer.example.org",
        }, new FakeTimeProvider(TimeProvider.System.GetUtcNow()));

    private static bool IsEscalation(JsonObject alert) => alert["labels"]?["alertname"]?.GetValue<string>() == AlertmanagerEscalator.AlertName;

    // Polls Alertmanager's alert list (it has no push to wait on), bounded by Patience.
    private static async Task<T> WaitForAsync<T>(AlertmanagerProcess alertmanager, Func<IReadOnlyList<JsonObject>, T?> probe, string what) where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Patience)
        {
            if (probe(await alertmanager.AlertsAsync()) is { } found) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No {what} within {Patience}.\n--- Alertmanager ---\n{alertmanager.Log}");
    }
}
