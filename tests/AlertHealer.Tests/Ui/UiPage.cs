using AlertHealer.Tests.Infrastructure;
using OpenQA.Selenium;

namespace AlertHealer.Tests.Ui;

// The page at /ui/ as the tests read it: what is on screen, by the page's own structure.
public sealed class UiPage(Browser browser)
{
    public Browser Browser => browser;

    public static UiPage Open(Browser browser, TestApp app, string relative) => Open(browser, app.BaseAddress, relative);

    public static UiPage Open(Browser browser, Uri baseAddress, string relative)
    {
        browser.Open(new Uri(baseAddress, relative));
        var page = new UiPage(browser);
        // The module has run once either view is up.
        browser.WaitUntil(() => page.SignInShown || page.MainShown, "the sign-in or the data");
        return page;
    }

    public static string WithToken(string token, string path = "ui/") => $"{path}#token={Uri.EscapeDataString(token)}";

    public bool SignInShown => browser.One("#sign-in").Displayed;

    public bool MainShown => browser.One("#main").Displayed;

    public string SignInMessage => browser.One("#sign-in-message").Text;

    public IReadOnlyList<AuditRow> AuditRows() =>
        browser.All("#audit tbody tr.entry").Select(AuditRow.Read).ToList();

    public IReadOnlyList<IWebElement> PolicyRows() => browser.All("#policies tbody tr");

    public AuditRow WaitForEntry(string outcome) =>
        browser.WaitFor(() => AuditRows().FirstOrDefault(r => r.Outcome == outcome), $"a '{outcome}' entry");

    public IReadOnlyList<AuditRow> WaitForEntries(int count) =>
        browser.WaitFor(() => AuditRows() is { } rows && rows.Count == count ? rows : null, $"{count} audit entries");

    public IWebElement WaitForPolicy(string name) =>
        browser.WaitFor(() => PolicyRows().FirstOrDefault(r => r.GetDomAttribute("data-policy") == name), $"the policy {name}");

    public static string PolicyStatus(IWebElement row) => row.FindElement(By.CssSelector("td:nth-child(2)")).Text;

    // Opens an entry's details and returns them once rendered.
    public IWebElement Expand(AuditRow row)
    {
        row.Element.FindElement(By.CssSelector("button.toggle")).Click();
        return browser.WaitFor(() =>
        {
            var detail = browser.One($"#audit tbody tr.entry[data-id='{row.Id}'] + tr.detail");
            return detail.Displayed ? detail : null;
        }, $"the details of entry {row.Id}");
    }

    public string? SessionToken => browser.Script("return sessionStorage.getItem('alerthealer.token');") as string;
}

public sealed record AuditRow(long Id, string Outcome, string Text, IWebElement Element)
{
    public static AuditRow Read(IWebElement row) =>
        new(long.Parse(row.GetDomAttribute("data-id")!), row.FindElement(By.CssSelector("td:nth-child(3) .badge")).Text, row.Text, row);
}
