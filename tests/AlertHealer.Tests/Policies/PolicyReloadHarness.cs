using System.Globalization;
using System.Net.Http.Json;
using AlertHealer.Policies;
using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Policies;

// What the reload tests read back: GET /policies and the reload metrics.
public static class PolicyReloadHarness
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    public static Action<Dictionary<string, string?>> UsingFile(ConfigMapVolume volume, Action<Dictionary<string, string?>>? more = null) => s =>
    {
        s["AlertHealer:PolicyFile"] = volume.FilePath;
        more?.Invoke(s);
    };

    public static async Task<PoliciesView> PoliciesAsync(this TestApp app) =>
        (await app.Reader.GetFromJsonAsync<PoliciesView>("/policies", Json.Options))!;

    // Moves the clock one poll interval and waits (real time, bounded) for the check to show.
    public static async Task<PoliciesView> ReloadAsync(this TestApp app, Func<PoliciesView, bool> done)
    {
        app.Time.Advance(PollInterval);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var view = await app.PoliciesAsync();
            if (done(view)) return view;
            await Task.Delay(20);
        }
        throw new TimeoutException("the policy file check did not show on GET /policies");
    }

    public static async Task<double> MetricAsync(this TestApp app, string name)
    {
        var text = await app.Anonymous.GetStringAsync("/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
