namespace AlertHealer.Security;

// The web page's own files are the only responses a browser renders. They get a policy that
// lets the page load its own script and styles and call the API on this origin, and nothing
// else (no inline script or style, no other origin); every other response stays deny-all.
public static class PagePolicy
{
    public const string ApiContentSecurity = "default-src 'none'; frame-ancestors 'none'";

    public const string PageContentSecurity =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly object Key = new();

    // Called by the endpoints that serve the page's files.
    public static void MarkAsPage(HttpContext context) => context.Items[Key] = true;

    public static bool IsPage(HttpContext context) => context.Items.ContainsKey(Key);
}
