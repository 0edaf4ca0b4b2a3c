using AlertHealer.Tests.Infrastructure.Kubernetes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AlertHealer.Tests.Infrastructure;

// The real app, configured the way an operator would: a SQLite file, tokens, and a
// kubeconfig pointing at the fake API server. Time is fake so tests move it.
public sealed class AlertHealerFactory(IReadOnlyDictionary<string, string?> settings, FakeTimeProvider time, ILoggerProvider? logs = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(time);
            if (logs is not null) services.AddSingleton(logs);
        });
    }
}
