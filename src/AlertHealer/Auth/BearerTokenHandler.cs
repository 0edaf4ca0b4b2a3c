using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;


namespace AlertHealer.Auth;

public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenRegistry tokens,
    IOptions<AuthOptions> auth,
    IServiceProvider services) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string TokenNameClaim = "token_name";

    public const string GroupClaim = "k8s_group";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 8192)
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'.");

        var presented = header["Bearer ".Length..].Trim();
        if (tokens.Find(presented, header) is { } source)
            return Success([new(ClaimTypes.Name, source.Name), new(ClaimTypes.Role, source.Role), new(TokenNameClaim, source.Name)]);

        // Only /remediate asks the API server, so a stranger's token elsewhere costs nothing.
        if (auth.Value.KubernetesAuth && Request.Path.StartsWithSegments("/remediate")
            && await services.GetRequiredService<IKubernetesReviews>().AuthenticateAsync(presented, Context.RequestAborted) is { } user)
        {
            return Success([
                new(ClaimTypes.Name, user.Name), new(ClaimTypes.Role, Roles.KubernetesUser), new(TokenNameClaim, "kubernetes:" + user.Name),
                .. user.Groups.Select(g => new Claim(GroupClaim, g)),
            ]);
        }
        return AuthenticateResult.Fail("The bearer token is not valid.");
    }

    private static AuthenticateResult Success(List<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
