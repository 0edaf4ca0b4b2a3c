namespace AlertHealer.Hosting;

public static class GracefulShutdown
{
    // On SIGTERM /readyz fails at once (traffic moves to other replicas), Kestrel finishes the
    // acknowledgements in flight, the worker finishes or puts back the decision in hand
    // (Inbox:ShutdownGrace), then claims and the Lease are released: all within this bound.
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public static WebApplicationBuilder AddGracefulShutdown(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = Limit);
        return builder;
    }
}
