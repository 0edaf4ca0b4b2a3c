using AlertHealer.Tests.Infrastructure;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.Webhooks;

public sealed class ValidatorRegistrationTests
{
    [Fact]
    public async Task EveryValidatorInTheServiceIsRegisteredByName()
    {
        // The native build cannot scan its assembly, so ApiSetup names each validator; this scan keeps the list complete.
        await using var app = await TestApp.StartAsync();
        var validators = typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsNested: false } && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(AbstractValidator<>))
            .ToList();

        Assert.NotEmpty(validators);
        foreach (var validator in validators)
        {
            var service = typeof(IValidator<>).MakeGenericType(validator.BaseType!.GetGenericArguments()[0]);
            Assert.IsType(validator, app.Services.GetService(service));
        }
    }
}
