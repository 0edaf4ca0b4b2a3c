using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Policies;
using static AlertHealer.Tests.Policies.ConfigMapVolume;

namespace AlertHealer.Tests.Ui;

// The page shows where the policies come from, their hash and load time, and a refused reload
// with the key it names, in a real headless Chromium.
public sealed class PolicyReloadPageTests
{
    [Fact]
    public async Task ARefusedPolicyFileShowsOnThePageWithItsKey()
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-test-").FullName;
        var volume = new ConfigMapVolume(directory, FileOf(("whisker", Whisker())));
        await using var app = await TestApp.StartAsync(PolicyReloadHarness.UsingFile(volume), directory, kestrel: true);
        var started = await app.PoliciesAsync();
        volume.Update(FileOf(("whisker", Whisker(p => p["MaxAttempts"] = 0))));
        await app.ReloadAsync(v => !v.Config.LastReloadSuccessful);
        using var browser = Browser.Start();

        UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));

        browser.WaitUntil(() => browser.One("#policy-config").Text.Contains("reload failed", StringComparison.Ordinal), "the refused reload on the page");
        var line = browser.One("#policy-config").Text;
        Assert.Contains(started.Config.Hash[..12], line);
        Assert.Contains(volume.FilePath, line);
        Assert.Contains("AlertHealer:Policies:whisker:MaxAttempts must be between 1 and 100", browser.One("#policy-config .reload-error").Text);
    }
}
