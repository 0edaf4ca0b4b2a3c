using AlertHealer.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlertHealer.Ui;

// The read-only page for the on-call engineer at /ui/. Its files are anonymous: they hold no
// data. The page reads /policies and /audit with the reader token the user gives it.
public static class UiEndpoints
{
    public const string Index = "index.html";

    public static WebApplicationBuilder AddUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UiFiles>();
        return builder;
    }

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        var files = app.ServiceProvider.GetRequiredService<UiFiles>();
        // Static files of the page, not part of the API: left out of the OpenAPI document.
        var group = app.MapGroup("/ui").WithTags("Ui").AllowAnonymous().ExcludeFromDescription();

        var index = files.All.Single(f => f.Name == Index);
        // "/ui/" and "/ui" share one route; only "/ui/" is the page, so relative links resolve.
        group.MapGet("/", (HttpContext context) => context.Request.Path.Value?.EndsWith('/') == true
            ? (Results<FileContentHttpResult, RedirectHttpResult>)Serve(context, index)
            : TypedResults.Redirect("ui/"));
        foreach (var file in files.All.Where(f => f.Name != Index))
            group.MapGet("/" + file.Name, (HttpContext context) => Serve(context, file));
        return app;
    }

    // Only the page's files get the page's security policy; conditional requests
    // (If-None-Match) are answered 304 by the result itself.
    private static FileContentHttpResult Serve(HttpContext context, UiFile file)
    {
        PagePolicy.MarkAsPage(context);
        return TypedResults.Bytes(file.Content, file.ContentType, entityTag: file.ETag);
    }
}
