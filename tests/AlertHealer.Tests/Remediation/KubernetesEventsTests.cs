using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AlertHealer.Audit;
using AlertHealer.Remediation;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using k8s.Models;

namespace AlertHealer.Tests.Remediation;

// What `kubectl get events -n calico-system` shows after the healer acted: events.k8s.io/v1
// Events about the deleted pod, written through the fake API server, never in the way of a remediation.
public sealed class KubernetesEventsTests
{
    private const string Ns = "calico-system";
    private const string Identity = "alerthealer-6d5f7c8b9-q2w3e";

    private static async Task<TestApp> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var app = (await TestApp.StartAsync(s =>
        {
            s["AlertHealer:Kubernetes:Identity"] = Identity;
            configure?.Invoke(s);
        })).WithCalicoSystem();
        return app;
    }

    private static string WedgedUid(TestApp app) => app.Kube.Pods(Ns).Single(p => p.Metadata.Name == Fixtures.WedgedPod).Metadata.Uid;

    // Events are written after the decision is stored, in the background: wait (real time, bounded).
    private static async Task<IReadOnlyList<Eventsv1Event>> WaitForEventsAsync(TestApp app, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var events = app.Kube.Events(Ns);
            if (events.Count >= count) return events;
            await Task.Delay(20);
        }
        throw new TimeoutException($"Fewer than {count} events; got: {string.Join(", ", app.Kube.Events(Ns).Select(e => e.Reason))}");
    }

    private static async Task<string> MetricsAsync(TestApp app, string series)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var text = await app.Anonymous.GetStringAsync("/metrics");
            if (text.Contains(series, StringComparison.Ordinal) || DateTime.UtcNow > deadline) return text;
            await Task.Delay(20);
        }
    }

    private static void AssertAudit(long id, string? note) =>
        Assert.Matches(new Regex($@"\baudit {id}\b"), note ?? "");

    private static void AssertAboutDeletedPod(Eventsv1Event e, string uid)
    {
        Assert.Equal(("v1", "Pod", Ns, Fixtures.WedgedPod, uid),
            (e.Regarding.ApiVersion, e.Regarding.Kind, e.Regarding.NamespaceProperty, e.Regarding.Name, e.Regarding.Uid));
        Assert.Equal(("alerthealer", Identity), (e.ReportingController, e.ReportingInstance));
    }

    [Fact]
    public async Task ARestartWritesOneNormalEventAboutTheDeletedPodNamingItsAuditEntry()
    {
        await using var app = await StartAsync();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        var uid = WedgedUid(app);

        await app.PostWebhookAsync(Fixtures.Firing);
        var restarted = await app.WaitForAuditAsync(e => e.Verification == Verifications.Healed, "healed");
        var entry = (await app.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{restarted.Id}", Json.Options))!;

        var e = Assert.Single(await WaitForEventsAsync(app, 1));
        Assert.Equal(Outcomes.Restarted, entry.Outcome);
        AssertAboutDeletedPod(e, uid);
        Assert.Equal(("Normal", EventReasons.Restarted, "Delete"), (e.Type, e.Reason, e.Action));
        Assert.Equal(TestApp.Start.UtcDateTime, e.EventTime);
        Assert.Matches(new Regex($@"^{Regex.Escape(Fixtures.WedgedPod)}\.[0-9a-f]+$"), e.Metadata.Name);
        AssertAudit(entry.Id, e.Note);
        Assert.Contains($"alert WhiskerBackendWedged fingerprint {entry.Alert!.Fingerprint}", e.Note, StringComparison.Ordinal);
        Assert.Contains($"incident {entry.Alert.Fingerprint} started {entry.Alert.StartsAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", e.Note, StringComparison.Ordinal);
        var create = Assert.Single(app.Kube.Requests, r => r.Is("create", "events"));
        Assert.Equal(("events.k8s.io", Ns, 201), (create.ApiGroup, create.Namespace, create.StatusCode));
    }

    [Fact]
    public async Task ANotHealedRestartAddsAWarningAboutTheSamePod()
    {
        await using var app = await StartAsync();
        var uid = WedgedUid(app);

        await app.PostWebhookAsync(Fixtures.Firing);
        // Moving the clock before the first Event is answered would time it out.
        await WaitForEventsAsync(app, 1);
        var entry = await app.AdvanceUntilAsync(e => e.Verification == Verifications.NotHealed, TimeSpan.FromMinutes(1), 6, "not-healed");

        var events = await WaitForEventsAsync(app, 2);
        Assert.Equal([EventReasons.Restarted, EventReasons.NotHealed], events.Select(e => e.Reason));
        var warning = events[1];
        Assert.Equal(("Warning", "Verify"), (warning.Type, warning.Action));
        AssertAboutDeletedPod(warning, uid);
        AssertAudit(entry.Id, warning.Note);
        Assert.Contains("was not-healed: no replacement pod became Ready within 00:03:00", warning.Note, StringComparison.Ordinal);
        Assert.NotEqual(events[0].Metadata.Name, warning.Metadata.Name);
    }

    [Fact]
    public async Task AnIneffectiveRestartAddsAWarning()
    {
        await using var loki = await FakeLoki.StartAsync();
        loki.AnswerVector(14);
        await using var app = await StartAsync(s =>
        {
            s["AlertHealer:Loki:BaseUrl"] = loki.BaseUrl.ToString();
            s["AlertHealer:Loki:Retries"] = "0";
            s["AlertHealer:Policies:whisker:Signal:Query"] = "sum(count_over_time({namespace=\"$namespace\", pod=\"$pod\"} |= \"failed to stream flows\" [11m]))";
            s["AlertHealer:Policies:whisker:Signal:VerifyAfter"] = "00:05:00";
        });
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        var uid = WedgedUid(app);

        await app.PostWebhookAsync(Fixtures.Firing);
        await WaitForEventsAsync(app, 1);
        var entry = await app.AdvanceUntilAsync(e => e.Verification == Verifications.Ineffective, TimeSpan.FromMinutes(1), 30, "ineffective");

        var warning = (await WaitForEventsAsync(app, 2))[1];
        Assert.Equal(("Warning", EventReasons.Ineffective), (warning.Type, warning.Reason));
        AssertAboutDeletedPod(warning, uid);
        AssertAudit(entry.Id, warning.Note);
        Assert.Contains("at or above 10", warning.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APolicyThatNeedsAHumanAddsAWarningAboutTheLastDeletedPod()
    {
        await using var app = await StartAsync(s => s["AlertHealer:Policies:whisker:MaxAttempts"] = "1");
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        var uid = WedgedUid(app);
        await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000f1"));
        var restart = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        await WaitForEventsAsync(app, 1);
        // The replacement is Ready before time jumps, or the jump would pass the verification deadline.
        await app.WaitForAuditAsync(e => e.Id == restart.Id && e.Verification == Verifications.Healed, "the restart healed");

        app.Time.Advance(TimeSpan.FromMinutes(11));
        await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000f2"));
        await app.WaitForOutcomeAsync(Outcomes.NeedsHuman);

        var events = await WaitForEventsAsync(app, 2);
        Assert.Equal([EventReasons.Restarted, EventReasons.NeedsHuman], events.Select(e => e.Reason));
        var warning = events[1];
        Assert.Equal("Warning", warning.Type);
        AssertAboutDeletedPod(warning, uid);
        AssertAudit(restart.Id, warning.Note);
        Assert.Contains("needs a human", warning.Note, StringComparison.Ordinal);
        Assert.Contains("POST /policies/whisker/reset", warning.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunsWriteNoEventAndAManualRestartSaysWhoAskedForIt()
    {
        await using var app = await StartAsync();

        using var dry = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "look first", dryRun = true });
        var dryRun = (await dry.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;
        using var real = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "UI blank" });
        var restart = (await real.Content.ReadFromJsonAsync<RemediateResponse>(Json.Options))!;

        Assert.Equal((Outcomes.DryRun, Outcomes.Restarted), (dryRun.Outcome, restart.Outcome));
        var e = Assert.Single(await WaitForEventsAsync(app, 1));
        AssertAudit(restart.AuditId, e.Note);
        Assert.DoesNotMatch(new Regex($@"\baudit {dryRun.AuditId}\b"), e.Note);
        Assert.Contains("a manual request by operator", e.Note, StringComparison.Ordinal);
        Assert.Contains("(UI blank)", e.Note, StringComparison.Ordinal);
        Assert.Equal(1, app.Kube.Count("create", "events"));
    }

    [Theory]
    [InlineData(500, "unavailable")]
    [InlineData(403, "forbidden")]
    public async Task AnEventsApiThatFailsDoesNotFailTheRestartAndIsCounted(int status, string reason)
    {
        await using var app = await StartAsync();
        app.Kube.FailNext("create", "events", 1, status);

        await app.PostWebhookAsync(Fixtures.Firing);
        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        var refused = await app.Kube.WaitForRequestAsync(r => r.Is("create", "events"), TimeSpan.FromSeconds(30));

        Assert.Equal(status, refused.StatusCode);
        Assert.Null(entry.Error);
        Assert.Single(app.Kube.Deletes());
        Assert.Empty(app.Kube.Events(Ns));
        var series = $"alerthealer_events_failed_total{{reason=\"{reason}\"}} 1";
        Assert.Contains(series, await MetricsAsync(app, series), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventsApiThatHangsDoesNotHoldTheRestartAndTimesOut()
    {
        await using var app = await StartAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Kube.BeforeRequest = r =>
        {
            if (r.Is("create", "events")) arrived.TrySetResult();
            return Task.CompletedTask;
        };
        app.Kube.DelayNext("create", "events", TimeSpan.FromMinutes(5));

        await app.PostWebhookAsync(Fixtures.Firing);
        var entry = await app.WaitForOutcomeAsync(Outcomes.Restarted);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The decision is stored, and the next alert decided, while the Event still waits for an answer.
        await app.PostWebhookAsync(Fixtures.NewIncident("00000000000000f3"));
        var next = await app.WaitForAuditAsync(e => e.Alert?.Fingerprint == "00000000000000f3", "the next alert");
        Assert.Equal(Outcomes.Cooldown, next.Outcome);
        Assert.Single(app.Kube.Deletes());
        Assert.Null(entry.Error);
        Assert.Equal(0, app.Kube.Count("create", "events"));
        app.Time.Advance(TimeSpan.FromSeconds(11));
        const string series = "alerthealer_events_failed_total{reason=\"timeout\"} 1";
        Assert.Contains(series, await MetricsAsync(app, series), StringComparison.Ordinal);
        Assert.Empty(app.Kube.Events(Ns));
    }
}
