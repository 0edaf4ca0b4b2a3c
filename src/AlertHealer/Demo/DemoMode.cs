namespace AlertHealer.Demo;

// `--demo`: a simulated calico-system, a SQLite file in the working directory and published
// tokens, so the whole pipeline can be tried on a laptop. Never for a real cluster.
public static class DemoMode
{
    public const string Flag = "--demo";
    public const string WebhookToken = "demo-webhook-token-not-secret";
    public const string OperatorToken = "demo-operator-token-not-secret";
    public const string ReaderToken = "demo-reader-token-not-secret";

    // The flag is taken out of args so the command-line configuration never sees it.
    public static string[] Strip(string[] args, out bool demo)
    {
        demo = args.Contains(Flag, StringComparer.Ordinal);
        return args.Where(a => a != Flag).ToArray();
    }

    public static WebApplicationBuilder AddDemoMode(this WebApplicationBuilder builder, bool demo)
    {
        if (!demo) return builder;
        // Defaults placed right after appsettings*.json, so environment variables and the
        // command line still win.
        var sources = builder.Configuration.Sources;
        var afterJson = sources.Select((s, i) => (s, i)).LastOrDefault(x => x.s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource).i + 1;
        sources.Insert(afterJson, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["AlertHealer:Kubernetes:Mode"] = "Simulated",
                ["AlertHealer:Store:ConnectionString"] = "Data Source=alerthealer-demo.db",
                ["AlertHealer:Auth:WebhookToken"] = WebhookToken,
                ["AlertHealer:Auth:OperatorToken"] = OperatorToken,
                ["AlertHealer:Auth:ReaderToken"] = ReaderToken,
            },
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
            builder.WebHost.UseUrls("http://localhost:8080");
        return builder;
    }

    public static WebApplication AnnounceDemoMode(this WebApplication app, bool demo)
    {
        if (!demo) return app;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var url = app.Urls.FirstOrDefault() ?? "http://localhost:8080";
            app.Logger.LogWarning("{Banner}", $$"""

                ************************************************************************
                *  DEMO MODE: simulated cluster, published tokens. NOT FOR PRODUCTION.  *
                ************************************************************************
                Send the sample alert:
                  curl -sS -X POST {{url}}/webhook/alertmanager -H 'Authorization: Bearer {{WebhookToken}}' -H 'Content-Type: application/json' --data @samples/alertmanager-firing.json
                Read the audit log:
                  curl -sS {{url}}/audit -H 'Authorization: Bearer {{ReaderToken}}'
                Or open the web page:
                  {{url}}/ui/#token={{ReaderToken}}
                Restart by hand:
                  curl -sS -X POST {{url}}/remediate -H 'Authorization: Bearer {{OperatorToken}}' -H 'Content-Type: application/json' -d '{"policy":"whisker","reason":"trying the demo"}'
                """);
        });
        return app;
    }
}
