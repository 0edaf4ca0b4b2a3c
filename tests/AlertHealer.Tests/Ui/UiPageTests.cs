using System.Net.Http.Json;
using AlertHealer.Audit;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace AlertHealer.Tests.Ui;

// The on-call page in a real headless Chromium against the real app on a loopback socket.
// One class, so one browser at a time on a small machine.
public sealed class UiPageTests(ITestOutputHelper output)
{
    private static Task<TestApp> StartAsync() => TestApp.StartAsync(kestrel: true);

    // The incident: the wedge alert arrives by webhook, whisker is restarted and the operator
    // recreates it.
    private static async Task<AuditEntry> RestartAsync(TestApp app)
    {
        app.WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        (await app.PostWebhookAsync(Fixtures.Firing)).EnsureSuccessStatusCode();
        return await app.WaitForOutcomeAsync(Outcomes.Restarted);
    }

    private static bool IsApi(BrowserRequest r) =>
        new Uri(r.Url).AbsolutePath is var path && (path.StartsWith("/audit", StringComparison.Ordinal) || path.StartsWith("/policies", StringComparison.Ordinal));

    [Fact]
    public async Task ARestartShowsWithItsPodAndThePolicyInCooldown()
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        using var browser = Browser.Start();

        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));

        var restarted = page.WaitForEntry(Outcomes.Restarted);
        Assert.Contains(Fixtures.WedgedPod, restarted.Text);
        Assert.Contains("webhook", restarted.Text);
        Assert.Equal("cooldown", UiPage.PolicyStatus(page.WaitForPolicy("whisker")));
        Assert.Contains("1 / 3", page.WaitForPolicy("whisker").Text);
        Assert.Contains("1 of 6", browser.One("#breaker").Text);
        Assert.False(page.SignInShown);
    }

    [Fact]
    public async Task WithoutATokenOnlyTheSignInShowsAndNoRequestCarriesAToken()
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        using var browser = Browser.Start();

        var page = UiPage.Open(browser, app, "ui/");

        Assert.True(page.SignInShown);
        Assert.False(page.MainShown);
        Assert.Empty(page.AuditRows());
        Assert.Empty(page.PolicyRows());
        Assert.DoesNotContain(Fixtures.WedgedPod, browser.One("body").Text);
        var requests = browser.Requests();
        Assert.Contains(requests, r => new Uri(r.Url).AbsolutePath == "/ui/app.js");
        Assert.DoesNotContain(requests, IsApi);
        Assert.All(requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task TheTokenLeavesTheAddressBarAndStaysInTheTabUntilSignOut()
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        using var browser = Browser.Start();

        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken, "ui/?outcome=restarted"));
        page.WaitForEntry(Outcomes.Restarted);

        Assert.DoesNotContain(TestApp.ReaderToken, browser.Url);
        Assert.DoesNotContain("#", browser.Url);
        Assert.EndsWith("/ui/?outcome=restarted", browser.Url);
        Assert.Equal("", browser.Script("return document.cookie;"));
        Assert.Equal(TestApp.ReaderToken, page.SessionToken);
        var api = browser.Requests().Where(IsApi).ToList();
        Assert.NotEmpty(api);
        Assert.All(api, r => Assert.Equal("Bearer " + TestApp.ReaderToken, r.Authorization));
        Assert.All(browser.Requests(), r => Assert.DoesNotContain(TestApp.ReaderToken, r.Url));
        Assert.All(browser.Requests(), r => Assert.False(r.Headers.ContainsKey("Cookie")));

        browser.One("#sign-out").Click();

        browser.WaitUntil(() => page.SignInShown, "the sign-in after signing out");
        Assert.Null(page.SessionToken);
        Assert.Equal(0L, browser.Script("return sessionStorage.length;"));
        Assert.Empty(page.AuditRows());
        Assert.Empty(page.PolicyRows());
    }

    [Fact]
    public async Task APastedTokenSignsIn()
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        using var browser = Browser.Start();
        var page = UiPage.Open(browser, app, "ui/");

        browser.One("#token-input").SendKeys(TestApp.ReaderToken);
        browser.One("#sign-in-form button[type=submit]").Click();

        page.WaitForEntry(Outcomes.Restarted);
        Assert.Equal(TestApp.ReaderToken, page.SessionToken);
        Assert.Equal("", browser.One("#token-input").GetDomProperty("value"));
    }

    [Theory]
    [InlineData("not-a-token-of-this-service-0123", "401")]
    [InlineData(TestApp.WebhookToken, "403")]
    public async Task ARefusedTokenReturnsToTheSignInWithAMessage(string token, string status)
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        using var browser = Browser.Start();

        var page = UiPage.Open(browser, app, UiPage.WithToken(token));

        browser.WaitUntil(() => page.SignInShown && page.SignInMessage.Length > 0, "the sign-in with a message");
        Assert.Contains(status, page.SignInMessage);
        Assert.False(page.MainShown);
        Assert.Empty(page.AuditRows());
        Assert.Null(page.SessionToken);
        Assert.DoesNotContain(token, browser.Url);
    }

    [Fact]
    public async Task ExpandingAnEntryShowsItsDecisionSteps()
    {
        await using var app = await StartAsync();
        var entry = await RestartAsync(app);
        using var browser = Browser.Start();
        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));

        var detail = page.Expand(page.WaitForEntry(Outcomes.Restarted));

        var steps = detail.FindElements(By.CssSelector("table.steps tr.step"))
            .Select(s => (s.FindElement(By.CssSelector(".step-name")).Text, s.FindElement(By.CssSelector(".badge")).Text))
            .ToList();
        Assert.Equal(entry.Steps.Select(s => (s.Name, s.Result)), steps);
        Assert.Contains(("delete", "deleted"), steps);
        // The pods each step saw: goldmane for the dependency guard, whisker as the target.
        var seen = detail.FindElements(By.CssSelector(".pods-table tbody td:first-child")).Select(c => c.Text).ToList();
        Assert.Contains("goldmane-7d9f8b6c5-q4wzt", seen);
        Assert.Contains(Fixtures.WedgedPod, seen);
        Assert.Contains(entry.Action!.Uid, detail.Text);
        Assert.Contains(entry.Alert!.Fingerprint, detail.Text);
        Assert.Contains("alertname=WhiskerBackendWedged", detail.Text);
    }

    [Fact]
    public async Task TheOutcomeFilterNarrowsTheList()
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        using (var dryRun = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "checking", dryRun = true }))
            dryRun.EnsureSuccessStatusCode();
        using var browser = Browser.Start();
        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));
        page.WaitForEntries(2);
        var offered = browser.All("#filters select[name=outcome] option").Select(o => o.GetDomProperty("value")).Where(v => v != "");
        Assert.Equal(Outcomes.All, offered);

        browser.Script("document.querySelector('#filters select[name=outcome]').value = 'dry-run';");
        browser.One("#filters button[type=submit]").Click();

        var rows = browser.WaitFor(() => page.AuditRows() is [{ Outcome: Outcomes.DryRun }] rows ? rows : null, "only the dry run");
        Assert.Contains("manual", rows[0].Text);
        Assert.EndsWith("/ui/?outcome=dry-run&limit=50", browser.Url);
        Assert.Contains(browser.Requests(), r => r.Url.Contains("/audit?outcome=dry-run", StringComparison.Ordinal));

        browser.One("#filters button[type=reset]").Click();
        page.WaitForEntries(2);
    }

    [Fact]
    public async Task OlderAndNewerPageThroughTheLogWithTheApiCursor()
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        // Two more incidents while whisker cools down: three entries, newest first.
        foreach (var fingerprint in new[] { "0000000000000002", "0000000000000003" })
            (await app.PostWebhookAsync(Fixtures.NewIncident(fingerprint))).EnsureSuccessStatusCode();
        await app.WaitForOutcomeAsync(Outcomes.Cooldown, 2);
        var all = (await app.AuditAsync()).Items.Select(e => e.Id).ToList();
        using var browser = Browser.Start();
        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken, "ui/?limit=2"));

        Assert.Equal(all[..2], page.WaitForEntries(2).Select(r => r.Id));
        browser.One("#older").Click();
        browser.WaitUntil(() => page.AuditRows().Select(r => r.Id).SequenceEqual(all[2..]), "the oldest entry alone");
        Assert.False(browser.One("#older").Enabled);
        Assert.Contains(browser.Requests(), r => r.Url.Contains("cursor=", StringComparison.Ordinal) && r.Url.Contains("limit=2", StringComparison.Ordinal));
        browser.One("#newer").Click();
        browser.WaitUntil(() => page.AuditRows().Select(r => r.Id).SequenceEqual(all[..2]), "the newest two again");
    }

    [Fact]
    public async Task LabelsAndReasonsAreShownAsTextNeverAsMarkup()
    {
        await using var app = await StartAsync();
        const string label = "<img src=x onerror=\"window.injected=1\">";
        const string reason = "<script>window.injected=2</script><b>bold</b>";
        app.WithCalicoSystem();
        app.Kube.ReplacementPolicy = ReplacementPolicy.RecreateReady;
        (await app.PostWebhookAsync(Fixtures.Edit(a => a["labels"]!["team"] = label))).EnsureSuccessStatusCode();
        await app.WaitForOutcomeAsync(Outcomes.Restarted);
        using (var manual = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason, dryRun = true }))
            manual.EnsureSuccessStatusCode();
        using var browser = Browser.Start();
        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));

        var labelled = page.Expand(page.WaitForEntry(Outcomes.Restarted));
        var reasoned = page.Expand(page.WaitForEntry(Outcomes.DryRun));

        Assert.Contains(labelled.FindElements(By.CssSelector(".chip")), c => c.Text == "team=" + label);
        Assert.Contains(reason, reasoned.Text);
        Assert.Empty(browser.All("#audit img, #audit script, #audit b"));
        Assert.Null(browser.Script("return window.injected ?? null;"));
    }

    [Fact]
    public async Task AFailedPreflightShowsThePolicyCannotActWithTheReason()
    {
        var (kube, time) = await Preflight.PreflightHarness.ClusterAsync();
        await using var _ = kube;
        kube.DenyClient("delete", "pods", "calico-system");
        await using var app = await TestApp.StartAsync(s => s["AlertHealer:Preflight:Enabled"] = "true", kube: kube, time: time, kestrel: true);
        await Preflight.PreflightHarness.WaitForRunAsync(app);
        using var browser = Browser.Start();

        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));

        var row = page.WaitForPolicy("whisker");
        Assert.StartsWith("cannot-act", UiPage.PolicyStatus(row));
        Assert.Contains("bad", row.FindElement(By.CssSelector("td:nth-child(2) .badge")).GetAttribute("class"));
        var reason = row.FindElement(By.CssSelector("[data-preflight=cannot-act]")).Text;
        Assert.Contains("rbac/calico-system/pods/delete: may not delete pods in calico-system (not allowed)", reason);
    }

    [Fact]
    public async Task ThePageCausesNoContentSecurityViolationsAndThePolicyHolds()
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        using var browser = Browser.Start();
        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));
        page.Expand(page.WaitForEntry(Outcomes.Restarted));
        browser.One("#filters button[type=submit]").Click();
        page.WaitForEntry(Outcomes.Restarted);

        var console = browser.ConsoleMessages();
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.Ordinal));
        Assert.DoesNotContain(console, m => m.StartsWith("Severe", StringComparison.OrdinalIgnoreCase));

        // The same check sees a violation when there is one: inline script is refused.
        browser.Script("const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.head.append(s);");
        var refused = browser.WaitFor(() => browser.ConsoleMessages().FirstOrDefault(m => m.Contains("Content Security Policy", StringComparison.Ordinal)), "the refused inline script");
        Assert.Contains("script-src 'self'", refused);
        Assert.Null(browser.Script("return window.inlineRan ?? null;"));
    }

    [Fact]
    public async Task AScreenshotOfTheIncidentIsSaved()
    {
        await using var app = await StartAsync();
        await RestartAsync(app);
        await app.WaitForAuditAsync(e => e.Verification == Verifications.Healed, "healed");
        // A re-send (a duplicate), a second incident during the cooldown, and a manual dry run.
        (await app.PostWebhookAsync(Fixtures.Firing)).EnsureSuccessStatusCode();
        app.Time.Advance(TimeSpan.FromMinutes(2));
        (await app.PostWebhookAsync(Fixtures.NewIncident("5c0ffee000000002", pod: "whisker-5b8d6c7f9-h7v2m"))).EnsureSuccessStatusCode();
        await app.WaitForOutcomeAsync(Outcomes.Cooldown);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        using (var manual = await app.Operator.PostAsJsonAsync("/remediate", new { policy = "whisker", reason = "UI still blank?", dryRun = true }))
            manual.EnsureSuccessStatusCode();
        using var browser = Browser.Start();
        var page = UiPage.Open(browser, app, UiPage.WithToken(TestApp.ReaderToken));
        page.WaitForEntries(3);
        var detail = page.Expand(page.WaitForEntry(Outcomes.Restarted));
        Assert.Contains("healed", detail.Text);

        var path = browser.Screenshot("ui-incident");

        output.WriteLine($"screenshot: {path}");
        System.Console.WriteLine($"UI screenshot: {path}");
        var png = await File.ReadAllBytesAsync(path);
        Assert.True(png.Length > 10_000, $"{png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}
