using System.Globalization;

namespace AlertHealer.Tests.Soak;

// One run's seed, length and the service's (short) timings, from the environment:
// ALERTHEALER_SOAK_SEED, ALERTHEALER_SOAK_SECONDS (how long faults are driven; settling comes
// after), ALERTHEALER_SOAK_DIR (keep the run's files there; default a temporary directory),
// ALERTHEALER_SOAK_FAULTS=off (alerts, flapping and replacements only: no proxy faults, kills or
// store faults; a calm run shows that the checks do not cry wolf).
public sealed record SoakSettings(int Seed, TimeSpan Drive, string? KeepDirectory, bool Faults = true)
{
    public const int DefaultSeed = 20261128;
    public static readonly TimeSpan DefaultDrive = TimeSpan.FromSeconds(60);
    // The two-replica run's, in the suite: with start-up and settling about two and a half minutes.
    public const int TwoReplicaSeed = 20261204;
    public static readonly TimeSpan TwoReplicaDrive = TimeSpan.FromSeconds(100);

    // 1: one process at a time; 2: two processes on one PostgreSQL (ReplicaSoakRun).
    public int Replicas { get; init; } = 1;

    // Short in the two-replica run, so a paused replica wakes up after its claims were taken over.
    public TimeSpan ClaimDuration { get; init; } = TimeSpan.FromSeconds(15);

    // The largest clock offset between the replicas (ALERTHEALER_CLOCK_OFFSET, honoured by test builds).
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    // On top of driving and settling: start-up on a loaded machine, restarts, reading the results.
    // Past it the watchdog fails the run with its state instead of letting it hang.
    public TimeSpan WatchdogMargin { get; init; } = TimeSpan.FromMinutes(4);

    // "Sqlite" or "Postgres" (a throwaway PostgreSQL server of the run's own).
    public string Store { get; init; } = "Sqlite";

    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan MinReadyFor { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromSeconds(6);
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(30);
    public int MaxRemediations { get; init; } = 4;
    public TimeSpan BreakerWindow { get; init; } = TimeSpan.FromSeconds(20);
    // Settling: faults off, nothing new sent; the service finishes what it has.
    public TimeSpan SettleLimit { get; init; } = TimeSpan.FromSeconds(25);

    public static SoakSettings FromEnvironment()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ALERTHEALER_SOAK_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var drive = double.TryParse(Environment.GetEnvironmentVariable("ALERTHEALER_SOAK_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0
            ? TimeSpan.FromSeconds(d)
            : DefaultDrive;
        var keep = Environment.GetEnvironmentVariable("ALERTHEALER_SOAK_DIR") is { Length: > 0 } dir ? dir : null;
        var faults = !string.Equals(Environment.GetEnvironmentVariable("ALERTHEALER_SOAK_FAULTS"), "off", StringComparison.OrdinalIgnoreCase);
        return new SoakSettings(seed, drive, keep, faults);
    }

    // The two-replica run: the same variables, its own default seed and length; always PostgreSQL.
    public static SoakSettings TwoReplicasFromEnvironment()
    {
        var settings = FromEnvironment();
        return settings with
        {
            Seed = Environment.GetEnvironmentVariable("ALERTHEALER_SOAK_SEED") is { Length: > 0 } ? settings.Seed : TwoReplicaSeed,
            Drive = Environment.GetEnvironmentVariable("ALERTHEALER_SOAK_SECONDS") is { Length: > 0 } ? settings.Drive : TwoReplicaDrive,
            Store = "Postgres",
            Replicas = 2,
            ClaimDuration = TimeSpan.FromSeconds(5),
        };
    }

    // The service's configuration, as environment variables (the store adds its own).
    public Dictionary<string, string?> AppSettings(string kubeconfig)
    {
        static string T(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);
        const string P = "AlertHealer__Policies__whisker__";
        return new Dictionary<string, string?>
        {
            ["AlertHealer__Auth__WebhookToken"] = Infrastructure.TestApp.WebhookToken,
            ["AlertHealer__Auth__OperatorToken"] = Infrastructure.TestApp.OperatorToken,
            ["AlertHealer__Auth__ReaderToken"] = Infrastructure.TestApp.ReaderToken,
            ["AlertHealer__Kubernetes__Mode"] = "Kubeconfig",
            ["AlertHealer__Kubernetes__Kubeconfig"] = kubeconfig,
            ["AlertHealer__Kubernetes__CallTimeout"] = T(CallTimeout),
            ["AlertHealer__Kubernetes__LeaseDuration"] = "00:00:05",
            ["AlertHealer__Kubernetes__LeaseNamespace"] = "alerthealer",
            ["AlertHealer__Kubernetes__Identity"] = "alerthealer-soak",
            ["AlertHealer__Inbox__RetryFor"] = T(RetryFor),
            ["AlertHealer__Inbox__ClaimDuration"] = T(ClaimDuration),
            ["AlertHealer__Inbox__RetryBaseDelay"] = "00:00:00.200",
            ["AlertHealer__Inbox__RetryMaxDelay"] = "00:00:02",
            ["AlertHealer__Inbox__PollInterval"] = "00:00:01",
            ["AlertHealer__Breaker__MaxRemediations"] = MaxRemediations.ToString(CultureInfo.InvariantCulture),
            ["AlertHealer__Breaker__Window"] = T(BreakerWindow),
            [P + "Cooldown"] = T(Cooldown),
            [P + "MaxCooldown"] = T(Cooldown * 2),
            [P + "HealthyResetAfter"] = "00:00:06",
            [P + "MaxAttempts"] = "100",
            [P + "VerifyTimeout"] = T(VerifyTimeout),
            [P + "Dependency__MinReadyFor"] = T(MinReadyFor),
            // Only the Kubernetes path is under test; no Loki, no Alertmanager.
            ["AlertHealer__Loki__BaseUrl"] = "",
            ["AlertHealer__Alertmanager__BaseUrl"] = "",
            ["KUBERNETES_SERVICE_HOST"] = null,
            ["KUBECONFIG"] = null,
        };
    }
}
