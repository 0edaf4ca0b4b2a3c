using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace AlertHealer.Tests.Ui;

// A real headless Chromium from Debian, driven through Debian's chromedriver. Both paths are
// given, so Selenium never looks for (or downloads) a driver or a browser of its own.
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    // Real time; a loaded 2-core machine is slow, and a passing test never waits this long.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ChromeDriverService _service;
    private readonly ChromeDriver _driver;
    private readonly List<string> _console = [];
    private readonly List<BrowserRequest> _requests = [];

    private Browser(ChromeDriverService service, ChromeDriver driver)
    {
        _service = service;
        _driver = driver;
    }

    public static Browser Start()
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        // Root in a container: no sandbox; /dev/shm may be tiny.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
            "--no-first-run", "--disable-extensions", "--disable-background-networking", "--lang=en-US");
        // The console (CSP violations, script errors) and the network (what each request carried).
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        options.SetLoggingPreference("performance", LogLevel.All);
        try
        {
            return new Browser(service, new ChromeDriver(service, options, Patience * 2));
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    public IWebDriver Driver => _driver;

    public string Url => _driver.Url;

    public void Open(Uri url) => _driver.Navigate().GoToUrl(url);

    public object? Script(string javaScript, params object[] args) => _driver.ExecuteScript(javaScript, args);

    public IReadOnlyList<IWebElement> All(string css) => _driver.FindElements(By.CssSelector(css));

    public IWebElement One(string css) => _driver.FindElement(By.CssSelector(css));

    // Polls until the probe answers; re-rendered elements (stale references) are just retried.
    public T WaitFor<T>(Func<T?> probe, string what) where T : class
    {
        var wait = new OpenQA.Selenium.Support.UI.WebDriverWait(_driver, Patience) { PollingInterval = TimeSpan.FromMilliseconds(50) };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        try
        {
            return wait.Until(_ => probe())!;
        }
        catch (WebDriverTimeoutException)
        {
            throw new TimeoutException($"The page never showed {what}. Console: {string.Join(" | ", ConsoleMessages())}");
        }
    }

    public void WaitUntil(Func<bool> condition, string what) => WaitFor(() => condition() ? "yes" : null, what);

    // Everything the page wrote to the console so far (the driver hands each entry out once).
    public IReadOnlyList<string> ConsoleMessages()
    {
        _console.AddRange(_driver.Manage().Logs.GetLog(LogType.Browser).Select(e => $"{e.Level}: {e.Message}"));
        return _console.ToList();
    }

    // Every request the page sent so far, as the network layer saw it.
    public IReadOnlyList<BrowserRequest> Requests()
    {
        foreach (var entry in _driver.Manage().Logs.GetLog("performance"))
        {
            using var json = JsonDocument.Parse(entry.Message);
            var message = json.RootElement.GetProperty("message");
            if (message.GetProperty("method").GetString() != "Network.requestWillBeSent") continue;
            var request = message.GetProperty("params").GetProperty("request");
            var headers = request.GetProperty("headers").EnumerateObject()
                .ToDictionary(h => h.Name, h => h.Value.GetString() ?? "", StringComparer.OrdinalIgnoreCase);
            _requests.Add(new BrowserRequest(request.GetProperty("url").GetString()!, headers));
        }
        return _requests.ToList();
    }

    // Saved where the test run keeps its artifacts ($ALERTHEALER_ARTIFACTS, else a temp folder).
    public string Screenshot(string name)
    {
        var folder = Environment.GetEnvironmentVariable("ALERTHEALER_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "alerthealer-artifacts");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        // The whole page, not just the first screenful.
        var height = Convert.ToInt32(Script("return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;"),
            System.Globalization.CultureInfo.InvariantCulture);
        _driver.Manage().Window.Size = new System.Drawing.Size(_driver.Manage().Window.Size.Width, Math.Max(height, 600));
        _driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        _driver.Quit();
        _driver.Dispose();
        _service.Dispose();
    }
}

public sealed record BrowserRequest(string Url, IReadOnlyDictionary<string, string> Headers)
{
    public string? Authorization => Headers.TryGetValue("Authorization", out var value) ? value : null;
}
