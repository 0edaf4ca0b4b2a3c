using Prometheus;

namespace AlertHealer.Metrics;

// The healer's own metrics, on a registry per app instance (tests start many apps).
public sealed class HealerMetrics
{
    private readonly Counter _alerts;
    private readonly Counter _remediations;
    private readonly Counter _guardSkips;
    private readonly Histogram _dependencyDuration;
    private readonly Counter _dependencyErrors;
    private readonly Histogram _webhookDuration;
    private readonly Counter _eventsFailed;
    private readonly Gauge _buildInfo;
    private readonly Counter _fencedWrites;
    private readonly Counter _webhookRejected;
    private readonly Gauge _reloadSuccessful;
    private readonly Gauge _reloadSuccessTimestamp;

    public HealerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _alerts = factory.CreateCounter("alerthealer_alerts_received_total",
            "Alerts received on the webhook, by alert status and what the inbox did with them.", "status", "outcome");
        _remediations = factory.CreateCounter("alerthealer_remediations_total",
            "Decisions taken, by policy, outcome and verification.", "policy", "outcome", "verification");
        _guardSkips = factory.CreateCounter("alerthealer_guard_skips_total",
            "Remediations not taken because a guard said no, by policy and reason.", "policy", "reason");
        _dependencyDuration = factory.CreateHistogram("alerthealer_dependency_call_duration_seconds",
            "Latency of calls to Kubernetes, Loki and Alertmanager.",
            new HistogramConfiguration { LabelNames = ["dependency", "operation"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });
        _dependencyErrors = factory.CreateCounter("alerthealer_dependency_errors_total",
            "Failed calls to Kubernetes, Loki and Alertmanager.", "dependency", "operation");
        _webhookDuration = factory.CreateHistogram("alerthealer_webhook_duration_seconds",
            "Time to validate, store and acknowledge an Alertmanager webhook.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 12) });
        _eventsFailed = factory.CreateCounter("alerthealer_events_failed_total",
            "Kubernetes Events that could not be written (the remediation went on), by reason.", "reason");
        _buildInfo = factory.CreateGauge("alerthealer_build_info",
            "1, labelled with the running build's version and commit and the store it uses.", "version", "revision", "store");
        // Fencing: writes refused because this replica's claim on the item was lost.
        _fencedWrites = factory.CreateCounter("alerthealer_fenced_writes_total",
            "Writes for an inbox item refused because this replica lost its claim on it (paused or cut off past the claim, another replica took it), by write.", "write");
        foreach (var write in new[] { "intent", "decision", "duplicate", "reschedule" }) _fencedWrites.WithLabels(write);
        InboxDepth = factory.CreateGauge("alerthealer_inbox_depth", "Alerts stored and not yet decided.");
        InboxOldest = factory.CreateGauge("alerthealer_inbox_oldest_pending_seconds", "Age of the oldest undecided alert.");
        BreakerOpen = factory.CreateGauge("alerthealer_breaker_open", "1 while the global circuit breaker is open.");
        NeedsHuman = factory.CreateGauge("alerthealer_policy_needs_human", "1 while a policy waits for an operator.", "policy");
        CooldownSeconds = factory.CreateGauge("alerthealer_policy_cooldown_seconds", "Seconds left in a policy's cooldown.", "policy");
        Paused = factory.CreateGauge("alerthealer_policy_paused", "1 while a policy is paused.", "policy");

        // The detection path's heartbeat and the deliveries the webhook refused.
        HeartbeatAge = factory.CreateGauge("alerthealer_detection_heartbeat_age_seconds",
            "Seconds since the last detection heartbeat arrived; +Inf before the first one ever did.");
        HeartbeatStaleAfter = factory.CreateGauge("alerthealer_detection_heartbeat_stale_after_seconds",
            "The heartbeat's age limit (AlertHealer:Heartbeat:StaleAfter); older is stale.");
        _webhookRejected = factory.CreateCounter("alerthealer_webhook_rejected_total",
            "Deliveries to the webhook refused with a 4xx, by reason.", "reason");
        foreach (var reason in Webhooks.WebhookRejections.Reasons) _webhookRejected.WithLabels(reason);
        // Preflight: what this replica found on its last run.
        PreflightOk = factory.CreateGauge("alerthealer_preflight_ok",
            "1 when the preflight check passed on its last run, 0 when it failed (the policy cannot act).", "policy", "check");
        PreflightLastRun = factory.CreateGauge("alerthealer_preflight_last_run_timestamp_seconds",
            "When the preflight last ran (Unix seconds); 0 before its first run.");
        // Skew against the cluster: guards judge pod ages by the API server's clock, but cooldowns,
        // the breaker window and audit times are this replica's, so a drifting node should show.
        ClockSkew = factory.CreateGauge("alerthealer_kubernetes_clock_skew_seconds",
            "This replica's clock minus the Kubernetes API server's, from the Date of its last pod list (whole seconds there: within 1 s is agreement).");
        // Policy reload, named and shaped as Alertmanager's and Prometheus's own.
        _reloadSuccessful = factory.CreateGauge("alerthealer_config_last_reload_successful",
            "1 if the last check of the policy file applied it or found it unchanged, 0 if it was refused.");
        _reloadSuccessTimestamp = factory.CreateGauge("alerthealer_config_last_reload_success_timestamp_seconds",
            "Time the running policies were loaded (start or last successful reload).");
    }

    public CollectorRegistry Registry { get; }
    public Gauge InboxDepth { get; }
    public Gauge InboxOldest { get; }
    public Gauge BreakerOpen { get; }
    public Gauge NeedsHuman { get; }
    public Gauge CooldownSeconds { get; }
    public Gauge Paused { get; }
    public Gauge HeartbeatAge { get; }
    public Gauge HeartbeatStaleAfter { get; }
    public Gauge PreflightOk { get; }
    public Gauge PreflightLastRun { get; }
    public Gauge ClockSkew { get; }

    // Series that alerts use with increase() must exist at 0 before their first event,
    // or the first failure after a start is invisible.
    public void Initialize(IEnumerable<string> policies)
    {
        foreach (var policy in policies)
        {
            _remediations.WithLabels(policy, Audit.Outcomes.Failed, "none");
            _remediations.WithLabels(policy, Audit.Outcomes.Restarted, Audit.Verifications.Healed);
            _remediations.WithLabels(policy, Audit.Outcomes.Restarted, Audit.Verifications.NotHealed);
        }
        foreach (var operation in new[] { "list-pods", "get-pod", "delete-pod" })
            _dependencyErrors.WithLabels("kubernetes", operation);
    }

    public void AlertReceived(string status, string outcome) => _alerts.WithLabels(status, outcome).Inc();

    // A restart is counted once its verification is known (Verified); every other decision now.
    public void Decision(string? policy, string outcome)
    {
        if (outcome != Audit.Outcomes.Restarted) _remediations.WithLabels(policy ?? "", outcome, "none").Inc();
        if (outcome.StartsWith("skipped-", StringComparison.Ordinal) || outcome.StartsWith("suppressed-", StringComparison.Ordinal))
            _guardSkips.WithLabels(policy ?? "", outcome).Inc();
    }

    public void Verified(string policy, string verification) =>
        _remediations.WithLabels(policy, Audit.Outcomes.Restarted, verification).Inc();

    public void DependencyCall(string dependency, string operation, TimeSpan elapsed, bool failed)
    {
        _dependencyDuration.WithLabels(dependency, operation).Observe(elapsed.TotalSeconds);
        if (failed) _dependencyErrors.WithLabels(dependency, operation).Inc();
    }

    public void EventFailed(string reason) => _eventsFailed.WithLabels(reason).Inc();

    public void BuildInfo(string version, string revision, string store) => _buildInfo.WithLabels(version, revision, store).Set(1);
    public void WebhookRejected(string reason) => _webhookRejected.WithLabels(reason).Inc();

    public void WebhookHandled(TimeSpan elapsed) => _webhookDuration.Observe(elapsed.TotalSeconds);

    // Fencing: a write for an item this replica no longer holds (nothing was changed).
    public void FencedWrite(string write) => _fencedWrites.WithLabels(write).Inc();
    // Policy reload: a refusal keeps the last success's timestamp.
    public void ConfigReloaded(bool successful, DateTimeOffset? at)
    {
        _reloadSuccessful.Set(successful ? 1 : 0);
        if (at is { } t) _reloadSuccessTimestamp.Set(t.ToUnixTimeMilliseconds() / 1000.0);
    }

    // New policies get their series; a removed policy's per-policy gauges go, so no alert
    // keeps firing for a policy that no longer exists.
    public void PoliciesChanged(IEnumerable<string> current, IEnumerable<string> removed)
    {
        Initialize(current);
        foreach (var policy in removed)
        {
            NeedsHuman.RemoveLabelled(policy);
            Paused.RemoveLabelled(policy);
            CooldownSeconds.RemoveLabelled(policy);
        }
    }
}
