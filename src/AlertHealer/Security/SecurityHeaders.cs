namespace AlertHealer.Security;

// Set just before the headers go out, so every response carries them: 401 challenges,
// status-code pages and the exception handler (which clears headers) included.
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpContext)state).Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // An API: nothing here is a page to render, frame or load resources for.
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            // Audit entries and policy state must not linger in caches or proxies.
            headers.CacheControl = "no-store";
            // No Server header either: Kestrel adds it after this runs, so it is turned off there.
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
