namespace AlertHealer.Tests.Configuration;

// One row of the table: environment variables added to a configuration that starts, and what a
// start and check-config must both say. Refused names the text the one refusal line must hold
// (the key first); null means both accept it.
public sealed record SettingsMistake(string Name, IReadOnlyDictionary<string, string?> Variables, string? Refused, string? Says = null)
{
    public override string ToString() => Name;

    private const string Whisker = "AlertHealer__Policies__whisker__";
    private const string Canary = "AlertHealer__Policies__canary__";

    // A second policy that is valid on its own.
    private static Dictionary<string, string?> CanaryPolicy(Action<Dictionary<string, string?>>? change = null)
    {
        var variables = new Dictionary<string, string?>
        {
            [Canary + "Match__alertname"] = "CanaryWedged",
            [Canary + "Target__Namespace"] = "canary",
            [Canary + "Target__Selector"] = "app=canary",
        };
        change?.Invoke(variables);
        return variables;
    }

    private static SettingsMistake Rejects(string name, string variable, string value, string says) =>
        new(name, new Dictionary<string, string?> { [variable] = value }, says);

    public static IReadOnlyList<SettingsMistake> All { get; } =
    [
        // The cases.
        Rejects("misspelt DryRun", "AlertHealer__DryRn", "true", "AlertHealer:DryRn is not a setting; did you mean AlertHealer:DryRun?"),
        Rejects("misspelt policy key", Whisker + "Cooldwon", "00:00:01", "AlertHealer:Policies:whisker:Cooldwon is not a setting; did you mean AlertHealer:Policies:whisker:Cooldown?"),
        Rejects("misspelt Policies section", "AlertHealer__Polices__whisker__Mode", "DryRun", "AlertHealer:Polices is not a setting; did you mean AlertHealer:Policies?"),
        Rejects("MaxAttempts in words", Whisker + "MaxAttempts", "three", "AlertHealer:Policies:whisker:MaxAttempts: 'three' is not a whole number"),
        Rejects("misspelt Mode", Whisker + "Mode", "Enfroce", "AlertHealer:Policies:whisker:Mode: 'Enfroce' is not one of Enforce, DryRun"),
        new("second policy's MaxAttempts in words", CanaryPolicy(v => v[Canary + "MaxAttempts"] = "three"), "AlertHealer:Policies:canary:MaxAttempts: 'three' is not a whole number"),
        new("second policy's misspelt Mode", CanaryPolicy(v => v[Canary + "Mode"] = "Enfroce"), "AlertHealer:Policies:canary:Mode: 'Enfroce' is not one of Enforce, DryRun"),
        // Ten and more typical mistakes.
        Rejects("misspelt section", "AlertHealer__Kubernets__Mode", "Simulated", "AlertHealer:Kubernets is not a setting; did you mean AlertHealer:Kubernetes?"),
        Rejects("misspelt root", "AlertHeler__DryRun", "true", "AlertHeler is read by nothing; did you mean AlertHealer?"),
        Rejects("TimeSpan written 10m", Whisker + "Cooldown", "10m", "AlertHealer:Policies:whisker:Cooldown: '10m' is not a duration"),
        Rejects("TimeSpan in words", Whisker + "Dependency__MinReadyFor", "1 minute", "AlertHealer:Policies:whisker:Dependency:MinReadyFor: '1 minute' is not a duration"),
        Rejects("selector with a syntax error", Whisker + "Target__Selector", "k8s-app=whisker,", "AlertHealer:Policies:whisker:Target:Selector must be equality terms"),
        Rejects("set-based selector", Whisker + "Dependency__Selector", "k8s-app in (goldmane)", "AlertHealer:Policies:whisker:Dependency:Selector must be equality terms"),
        Rejects("negative threshold", Whisker + "Signal__Threshold", "-5", "AlertHealer:Policies:whisker:Signal:Threshold must be a positive number"),
        Rejects("threshold in words", Whisker + "Signal__Threshold", "ten", "AlertHealer:Policies:whisker:Signal:Threshold: 'ten' is not a number"),
        Rejects("negative breaker window", "AlertHealer__Breaker__Window", "-01:00:00", "AlertHealer:Breaker:Window must be positive"),
        new("policy with an empty Match", CanaryPolicy(v => v.Remove(Canary + "Match__alertname")), "AlertHealer:Policies:canary:Match must name at least one alert label"),
        new("two policies matching the same alert", CanaryPolicy(v => v[Canary + "Match__alertname"] = "WhiskerBackendWedged"),
            "AlertHealer:Policies:whisker:Match and AlertHealer:Policies:canary:Match both match an alert with alertname=WhiskerBackendWedged"),
        new("policy name with capitals", new Dictionary<string, string?>
        {
            ["AlertHealer__Policies__Canary_2__Match__alertname"] = "CanaryWedged",
            ["AlertHealer__Policies__Canary_2__Target__Namespace"] = "canary",
            ["AlertHealer__Policies__Canary_2__Target__Selector"] = "app=canary",
        }, "AlertHealer:Policies:Canary_2: policy names are lowercase letters, digits and '-'"),
        Rejects("DryRun as yes", "AlertHealer__DryRun", "yes", "AlertHealer:DryRun: 'yes' is not true or false"),
        Rejects("Mode as a number", Whisker + "Mode", "1", "AlertHealer:Policies:whisker:Mode: '1' is not one of Enforce, DryRun"),
        Rejects("misspelt store provider", "AlertHealer__Store__Provider", "Postgress", "AlertHealer:Store:Provider: 'Postgress' is not one of Sqlite, Postgres"),
        Rejects("misspelt key under the old store name", "AlertHealer__Audit__BusyTimout", "00:00:03", "AlertHealer:Audit:BusyTimout is not a setting; did you mean AlertHealer:Audit:BusyTimeout?"),
        Rejects("Loki URL without a scheme", "AlertHealer__Loki__BaseUrl", "loki-gateway.loki.svc", "AlertHealer:Loki:BaseUrl must be an absolute http(s) URL"),
        Rejects("limit in scientific notation", "AlertHealer__Limits__MaxAlerts", "1e3", "AlertHealer:Limits:MaxAlerts: '1e3' is not a whole number"),
        // A misspelt key of each section this release added.
        Rejects("misspelt heartbeat limit", "AlertHealer__Heartbeat__StaleAftr", "00:05:00", "AlertHealer:Heartbeat:StaleAftr is not a setting; did you mean AlertHealer:Heartbeat:StaleAfter?"),
        Rejects("misspelt preflight interval", "AlertHealer__Preflight__Intervall", "00:05:00", "AlertHealer:Preflight:Intervall is not a setting; did you mean AlertHealer:Preflight:Interval?"),
        Rejects("misspelt policy file", "AlertHealer__PolicyFil", "/etc/alerthealer/policies/policies.json", "AlertHealer:PolicyFil is not a setting; did you mean AlertHealer:PolicyFile?"),
        Rejects("misspelt webhook rate", "AlertHealer__Limits__WebhookPerMinut", "60", "AlertHealer:Limits:WebhookPerMinut is not a setting; did you mean AlertHealer:Limits:WebhookPerMinute?"),
        Rejects("misspelt store key", "AlertHealer__Store__ConnectionStrin", "Data Source=x.db", "AlertHealer:Store:ConnectionStrin is not a setting; did you mean AlertHealer:Store:ConnectionString?"),
        Rejects("value on a section", Whisker + "Target", "calico-system/k8s-app=whisker", "AlertHealer:Policies:whisker:Target is a section of settings, not a value"),
        // What stays allowed.
        new("keys in another case", new Dictionary<string, string?> { ["alerthealer__policies__whisker__COOLDOWN"] = "00:20:00", ["ALERTHEALER__DRYRUN"] = "true" }, null,
            "policy whisker: DryRun (AlertHealer:DryRun)"),
        new(".NET and ASP.NET Core settings", new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Npgsql"] = "Error",
            ["AllowedHosts"] = "localhost;127.0.0.1",
            ["Kestrel__Limits__MaxConcurrentConnections"] = "100",
            ["DOTNET_gcServer"] = "0",
            ["ASPNETCORE_SHUTDOWNTIMEOUTSECONDS"] = "20",
            ["SomethingElse__Entirely"] = "x",
        }, null, "policy whisker: Enforce"),
        new("a second valid policy", CanaryPolicy(), null, "policy canary: Enforce; alerts with alertname=CanaryWedged"),
        new("the old store name", new Dictionary<string, string?> { ["AlertHealer__Audit__BusyTimeout"] = "00:00:03" }, null,
            "AlertHealer:Audit:BusyTimeout is read as AlertHealer:Store:BusyTimeout;"),
        new("the old and the new store name", new Dictionary<string, string?> { ["AlertHealer__Audit__BusyTimeout"] = "00:00:03", ["AlertHealer__Store__BusyTimeout"] = "00:00:04" }, null,
            "AlertHealer:Audit:BusyTimeout is read as AlertHealer:Store:BusyTimeout and overrides the AlertHealer:Store:BusyTimeout also set"),
    ];
}
