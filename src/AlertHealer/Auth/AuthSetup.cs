using AlertHealer.Kubernetes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AlertHealer.Auth;

public static class AuthSetup
{
    public static WebApplicationBuilder AddTokenAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .Bind(builder.Configuration.GetSection(AuthOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddSingleton<TokenRegistry>();
        builder.Services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Webhook, p => p.RequireRole(Roles.Webhook))
            .AddPolicy(Roles.Operator, p => p.RequireRole(Roles.Operator))
            .AddPolicy(Roles.Reader, p => p.RequireRole(Roles.Reader, Roles.Operator))
            .AddPolicy(Roles.Remediate, p => p.RequireRole(Roles.Operator, Roles.KubernetesUser));
        builder.Services.AddSingleton<IKubernetesReviews>(sp =>
            sp.GetRequiredService<IOptions<KubernetesOptions>>().Value.Mode == ClusterMode.Simulated
                ? new NoKubernetesReviews()
                : ActivatorUtilities.CreateInstance<KubernetesReviews>(sp));
        return builder;
    }

    // Every role needs a token (inline or file); a service that can delete pods never starts open.
    private sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions o)
        {
            var errors = new List<string>();
            Check(errors, "Webhook", o.WebhookToken, o.WebhookTokenFile);
            Check(errors, "Operator", o.OperatorToken, o.OperatorTokenFile);
            Check(errors, "Reader", o.ReaderToken, o.ReaderTokenFile);
            var inline = new[] { o.WebhookToken, o.OperatorToken, o.ReaderToken }.Where(t => !string.IsNullOrEmpty(t)).ToList();
            if (inline.Count != inline.Distinct(StringComparer.Ordinal).Count())
                errors.Add($"{AuthOptions.Section}: each role needs its own token; two roles share one");
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        private static void Check(List<string> errors, string role, string? token, string? file)
        {
            var key = $"{AuthOptions.Section}:{role}Token";
            if (string.IsNullOrWhiteSpace(token) && string.IsNullOrWhiteSpace(file))
                errors.Add($"{key} or {key}File must be set (outside demo mode every role needs a token)");
            else if (!string.IsNullOrWhiteSpace(token) && token.Trim().Length < AuthOptions.MinimumLength)
                errors.Add($"{key} must be at least {AuthOptions.MinimumLength} characters");
            else if (!string.IsNullOrWhiteSpace(file) && !File.Exists(file))
                errors.Add($"{key}File points at '{file}', which does not exist");
            else if (!string.IsNullOrWhiteSpace(file) && Read(file) is { Error: { } error })
                errors.Add($"{key}File: '{file}' cannot be read ({error}); mount it readable by the service's user");
            else if (!string.IsNullOrWhiteSpace(file) && Read(file).Text!.Trim().Length < AuthOptions.MinimumLength)
                errors.Add($"{key}File: the token in '{file}' is shorter than {AuthOptions.MinimumLength} characters (a placeholder such as CHANGE-ME?)");
        }

        private static (string? Text, string? Error) Read(string file)
        {
            try
            {
                return (File.ReadAllText(file), null);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (null, ex.Message);
            }
        }
    }
}
