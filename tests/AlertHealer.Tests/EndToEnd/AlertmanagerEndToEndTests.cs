using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.EndToEnd;

/// <summary>
/// The whole delivery path with the real Alertmanager binary: alerts pushed the way the Loki ruler
/// pushes them, routed by the route we ship, posted with the Bearer token from a credentials file
/// to AlertHealer listening on a loopback socket, acted on against the fake Kubernetes API server.
/// </summary>
public sealed class AlertmanagerEndToEndTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private const string Notifications = "alertmanager_notifications_total{integration=\"webhook\"}";
    private const string NotificationsFailed = "alertmanager_notifications_failed_total{integration=\"webhook\"}";
    private const string Requests = "alertmanager_notification_requests_total{integration=\"webhook\"}";
    private const string RequestsFailed = "alertmanager_notification_requests_failed_total{integration=\"webhook\"}";

    [Fact]
    public async Task AFiringAlertPushedIntoAlertmanagerDeletesTheWhiskerPodOnce()
    {
        await using var stack = await Stack.StartAsync();
        var alert = stack.Firing();

        await stack.Alertmanager.PostAlertsAsync(alert);

        var entry = await stack.WaitForHealedRestartAsync();
        var delete = Assert.Single(stack.App.Kube.Deletes());
        Assert.Equal(("calico-system", Fixtures.WedgedPod), (delete.Namespace, delete.Name));
        Assert.Equal(Triggers.Webhook, entry.Trigger);
        Assert.Equal("whisker", entry.Policy);
        Assert.Equal(("WhiskerBackendWedged", "firing"), (entry.Alert!.Name, entry.Alert.Status));
        Assert.Equal(alert.StartsAt, entry.Alert.StartsAt);
        var fingerprint = await stack.FingerprintAsync();
        Assert.Equal(fingerprint, entry.Alert.Fingerprint);
        // The recorded webhook fixture carries the same labels, so the same fingerprint.
        Assert.Equal(Fixtures.FiringJson["alerts"]![0]!["fingerprint"]!.GetValue<string>(), fingerprint);
        Assert.Equal(Fixtures.WedgedPod, entry.Action!.Pod);
    }

    [Fact]
    public async Task RepeatedNotificationsOfAStillFiringAlertDeleteNothingMore()
    {
        await using var stack = await Stack.StartAsync();
        var alert = stack.Firing();
        await stack.Alertmanager.PostAlertsAsync(alert);
        var restarted = await stack.WaitForHealedRestartAsync();

        // The ruler keeps re-sending while the condition holds; Alertmanager re-notifies the
        // group every repeat_interval. Every delivery after the first is a duplicate of the entry.
        var entry = await stack.KeepFiringUntilAsync(alert, async () =>
        {
            var current = await stack.AuditEntryAsync(restarted.Id);
            return 1 + current.Duplicates >= 3 ? current : null;
        }, "three webhook deliveries of the firing alert");

        Assert.Single(stack.App.Kube.Deletes());
        Assert.Single((await stack.App.AuditAsync("?limit=500")).Items);
        Assert.Equal(Outcomes.Restarted, entry.Outcome);
        var healer = await stack.HealerMetricsAsync();
        Assert.Equal(1, healer.Value("alerthealer_alerts_received_total{status=\"firing\",outcome=\"queued\"}"));
        Assert.True(healer.Value("alerthealer_alerts_received_total{status=\"firing\",outcome=\"duplicate\"}") >= 2, healer.Text);
        var alertmanager = await stack.Alertmanager.MetricsAsync(Notifications, NotificationsFailed);
        Assert.True(alertmanager[Notifications] >= 3, $"{alertmanager[Notifications]} notifications");
        Assert.Equal(0, alertmanager[NotificationsFailed]);
    }

    [Fact]
    public async Task ResolvingTheAlertIsRecordedAndDeletesNothingMore()
    {
        await using var stack = await Stack.StartAsync();
        var alert = stack.Firing();
        await stack.Alertmanager.PostAlertsAsync(alert);
        var restarted = await stack.WaitForHealedRestartAsync();

        // The ruler's last send for an alert that cleared: endsAt in the past.
        await stack.Alertmanager.PostAlertsAsync(alert.ResolvedAt(TimeProvider.System.GetUtcNow().AddSeconds(-1)));

        var resolved = await stack.WaitForOutcomeAsync(Outcomes.Resolved);
        Assert.Equal(Triggers.Webhook, resolved.Trigger);
        Assert.Equal("resolved", resolved.Alert!.Status);
        Assert.Equal(restarted.Alert!.Fingerprint, resolved.Alert.Fingerprint);
        Assert.Equal(alert.StartsAt, resolved.Alert.StartsAt);
        Assert.Null(resolved.Action);
        Assert.Single(stack.App.Kube.Deletes());
    }

    [Fact]
    public async Task AWrongTokenIsRefusedAndAlertmanagerGivesUpEachNotificationAfterOneRequest()
    {
        await using var stack = await Stack.StartAsync(token: "not-the-webhook-token-0123456789");
        using var answers = new WebhookAnswers(stack.App.Services);

        await stack.Alertmanager.PostAlertsAsync(stack.Firing());

        // Alertmanager gives up on a notification at the first 4xx. It tries the group again on
        // the next group_interval tick (nothing was recorded as sent), again with a single request.
        // Wait for two such notifications and a scrape with none in flight.
        var metrics = await stack.WaitForAsync(async () =>
        {
            var m = await stack.Alertmanager.MetricsAsync(Notifications, NotificationsFailed, Requests, RequestsFailed);
            return m[NotificationsFailed] >= 2 && m[Notifications] == m[NotificationsFailed] ? m : null;
        }, "two failed notifications");
        Assert.Equal(metrics[NotificationsFailed], metrics[Requests]);
        Assert.Equal(metrics[Requests], metrics[RequestsFailed]);

        var lines = stack.Alertmanager.LogLines;
        var failures = lines.Where(l => l.Contains("msg=\"Notify for alerts failed\"", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count >= 2, stack.Alertmanager.Log);
        Assert.All(failures, l => Assert.Contains("notify retry canceled due to unrecoverable error after 1 attempts: unexpected status code 401", l));
        Assert.DoesNotContain(lines, l => l.Contains("will retry later", StringComparison.Ordinal));

        // AlertHealer's side: every delivery was answered 401 and nothing was stored or done.
        var statuses = answers.Statuses;
        Assert.True(statuses.Count >= metrics[Requests], $"AlertHealer answered {statuses.Count} webhook requests");
        Assert.All(statuses, s => Assert.Equal(401, s));
        Assert.Empty(stack.App.Kube.Deletes());
        Assert.Empty((await stack.App.AuditAsync("?limit=500")).Items);
        var healer = await stack.HealerMetricsAsync();
        Assert.DoesNotContain("alerthealer_alerts_received_total{", healer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACorrectedTokenFileIsUsedWithoutReloadingAlertmanager()
    {
        await using var stack = await Stack.StartAsync(token: "not-the-webhook-token-0123456789");
        await stack.Alertmanager.PostAlertsAsync(stack.Firing());
        await stack.WaitForAsync(async () =>
            (await stack.Alertmanager.MetricsAsync(NotificationsFailed))[NotificationsFailed] >= 1 ? "refused" : null, "a refused notification");

        // The secret is rotated in place; Alertmanager is neither restarted nor reloaded.
        await File.WriteAllTextAsync(stack.Alertmanager.TokenFile, TestApp.WebhookToken);

        await stack.WaitForHealedRestartAsync();
        Assert.Single(stack.App.Kube.Deletes());
        Assert.Single(stack.Alertmanager.LogLines, l => l.Contains("msg=\"Loading configuration file\"", StringComparison.Ordinal));
    }

    /// <summary>AlertHealer on a real socket with the incident's cluster, and an Alertmanager delivering to it.</summary>
    private sealed class Stack : IAsyncDisposable
    {
        private readonly DateTimeOffset started;

        private Stack(TestApp app, AlertmanagerProcess alertmanager, DateTimeOffset started)
        {
            App = app;
            Alertmanager = alertmanager;
            this.started = started;
        }

        public TestApp App { get; }
        public AlertmanagerProcess Alertmanager { get; }

        public static async Task<Stack> StartAsync(string token = TestApp.WebhookToken)
        {
            // Alertmanager stamps and times alerts by the wall clock. The healer keeps its fake clock,
            // set to the same moment and never moved: its decisions only compare its own clock with
            // the fake cluster's (goldmane Ready for 10 minutes, the 10 minute cooldown), so they stay
            // deterministic however long Alertmanager takes, and stored times match the alert's epoch.
            var now = TimeProvider.System.GetUtcNow();
            now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            var app = (await TestApp.StartAsync(time: new FakeTimeProvider(now), kestrel: true)).WithCalicoSystem();
            // The ReplicaSet brings up a Ready replacement, so each restart's verification completes
            // and no watch of the verifier is still open when the test shuts the app down.
            app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
            try
            {
                return new Stack(app, await AlertmanagerProcess.StartAsync(app.BaseAddress, token), now);
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }

        /// <summary>WhiskerBackendWedged for the wedged pod: pending since two minutes ago, firing now.</summary>
        public RulerAlert Firing() =>
            RulerAlert.WhiskerWedged(Fixtures.WedgedPod, started.AddMinutes(-2), TimeProvider.System.GetUtcNow());

        public async Task<string> FingerprintAsync()
        {
            var alert = Assert.Single(await Alertmanager.AlertsAsync(), a => a["labels"]?["pod"]?.GetValue<string>() == Fixtures.WedgedPod);
            return alert["fingerprint"]!.GetValue<string>();
        }

        public async Task<AuditEntry> AuditEntryAsync(long id) =>
            (await App.Reader.GetFromJsonAsync<AuditEntry>($"/audit/{id}", Json.Options))!;

        public async Task<PrometheusText> HealerMetricsAsync() => new(await App.Anonymous.GetStringAsync("/metrics"));

        /// <summary>The webhook's restart of the wedged pod, once its replacement was verified Ready.</summary>
        public Task<AuditEntry> WaitForHealedRestartAsync() =>
            WithAlertmanagerLog(App.WaitForAuditAsync(e => e is { Outcome: Outcomes.Restarted, Verification: Verifications.Healed }, "restarted and healed"));

        public Task<AuditEntry> WaitForOutcomeAsync(string outcome) => WithAlertmanagerLog(App.WaitForOutcomeAsync(outcome));

        private async Task<AuditEntry> WithAlertmanagerLog(Task<AuditEntry> wait)
        {
            try
            {
                return await wait;
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\n--- Alertmanager ---\n{Alertmanager.Log}", e);
            }
        }

        /// <summary>Polls <paramref name="probe"/> until it returns a value, for at most <see cref="Patience"/>.</summary>
        public Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what) where T : class =>
            KeepFiringUntilAsync(null, probe, what);

        /// <summary>Like <see cref="WaitForAsync"/>, re-pushing <paramref name="alert"/> every second as the ruler would.</summary>
        public async Task<T> KeepFiringUntilAsync<T>(RulerAlert? alert, Func<Task<T?>> probe, string what) where T : class
        {
            var deadline = Stopwatch.StartNew();
            var sinceSend = Stopwatch.StartNew();
            while (deadline.Elapsed < Patience)
            {
                if (await probe() is { } value) return value;
                if (alert is not null && sinceSend.Elapsed >= TimeSpan.FromSeconds(1))
                {
                    await Alertmanager.PostAlertsAsync(alert.FiringAt(TimeProvider.System.GetUtcNow()));
                    sinceSend.Restart();
                }
                await Task.Delay(50);
            }
            throw new TimeoutException($"No {what} within {Patience}.\n--- Alertmanager ---\n{Alertmanager.Log}");
        }

        public async ValueTask DisposeAsync()
        {
            // Alertmanager first, so nothing is delivered to an app shutting down.
            await Alertmanager.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>Prometheus text exposition, looked up by exact series.</summary>
    private sealed record PrometheusText(string Text)
    {
        public double Value(string series)
        {
            var line = Text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
            Assert.True(line is not null, $"no series {series} in:\n{Text}");
            return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The status codes AlertHealer answered on its webhook route, from ASP.NET Core's own
    /// http.server.request.duration measurements of this app instance (not other tests' apps).
    /// </summary>
    private sealed class WebhookAnswers : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly ConcurrentQueue<int> statuses = new();

        public WebhookAnswers(IServiceProvider services)
        {
            var scope = services.GetRequiredService<IMeterFactory>();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == scope && instrument.Meter.Name == "Microsoft.AspNetCore.Hosting"
                    && instrument.Name == "http.server.request.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
            {
                string? route = null;
                int? status = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "http.route") route = tag.Value as string;
                    if (tag.Key == "http.response.status_code") status = Convert.ToInt32(tag.Value, CultureInfo.InvariantCulture);
                }
                if (route == "/webhook/alertmanager" && status is { } code) statuses.Enqueue(code);
            });
            listener.Start();
        }

        public IReadOnlyList<int> Statuses => [.. statuses];

        public void Dispose() => listener.Dispose();
    }
}
