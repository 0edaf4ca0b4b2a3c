namespace AlertHealer.Security;

// Set just before the headers go out, so every response carries them: 401 challenges,
// status-code pages and the exception handler (which clears headers) included.
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            var page = PagePolicy.IsPage(context);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // An API: nothing here is a page to render, frame or load resources for; only the
            // web page's own files may run script and styles from this origin.
            headers.ContentSecurityPolicy = page ? PagePolicy.PageContentSecurity : PagePolicy.ApiContentSecurity;
            headers["Referrer-Policy"] = "no-referrer";
            // Audit entries and policy state must not linger in caches or proxies. The page's
            // files hold no data: they may be cached, but are revalidated (ETag) on every load,
            // so an upgrade never pairs an old script with a new page.
            headers.CacheControl = page ? "no-cache" : "no-store";
            // No Server header either: Kestrel adds it after this runs, so it is turned off there.
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
