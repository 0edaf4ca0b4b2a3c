namespace AlertHealer.OpenApi;

// Problem responses that come from the pipeline rather than from a handler's typed result
// (authentication, the HTTP edge, the store), so the generator cannot infer them. Declared
// next to the policy that causes them.
public static class ProblemResponses
{
    // A missing or unknown token is a 401; a token of another role a 403.
    public static TBuilder ProducesTokenProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

    // Malformed JSON is a 400 naming where, a body over the endpoint's limit a 413, anything
    // but UTF-8 JSON a 415.
    public static TBuilder ProducesBodyProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    // The store cannot read or write in time: 503 with Retry-After.
    public static TBuilder ProducesStoreProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    // Over the manual endpoints' rate: 429 with Retry-After.
    public static TBuilder ProducesRateLimitProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status429TooManyRequests);
}
