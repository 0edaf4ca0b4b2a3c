using FluentValidation;

namespace AlertHealer.Validation;

// Runs the FluentValidation validator of the endpoint's T argument; a failure becomes a
// 400 problem that names every bad field.
public sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.Arguments.OfType<T>().FirstOrDefault() is not { } argument)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A request body is required.");
        }
        var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
        return result.IsValid ? await next(context) : TypedResults.ValidationProblem(result.ToDictionary());
    }
}

public static class ValidationExtensions
{
    public static TBuilder WithValidation<TBuilder, T>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, ValidationFilter<T>>();

    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();
}
