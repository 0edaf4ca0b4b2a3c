namespace AlertHealer.Security;

// Endpoint metadata: the most a request body to this endpoint may hold. Endpoints without it
// get LimitsOptions.DefaultBodyBytes.
public sealed record BodyLimit(Func<LimitsOptions, long> Select);

public static class BodyLimitExtensions
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, Func<LimitsOptions, long> select)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(select));
}
