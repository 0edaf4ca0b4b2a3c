using Microsoft.AspNetCore.Mvc;

namespace AlertHealer.Security;

// Problem responses written before an endpoint runs (413, 415, 429), in the same shape as
// the rest of the API's errors.
public static class EdgeProblems
{
    public const string TooLarge = "The request body is too large.";
    public const string NotJson = "The request body must be application/json.";

    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
