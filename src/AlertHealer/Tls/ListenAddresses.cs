namespace AlertHealer.Tls;

// The addresses Kestrel will listen on, worked out from configuration the way Kestrel does:
// Kestrel:Endpoints wins over urls (ASPNETCORE_URLS, --urls), which wins over
// ASPNETCORE_HTTP_PORTS/ASPNETCORE_HTTPS_PORTS; with none, Kestrel's own http://localhost:5000.
public static class ListenAddresses
{
    public static IReadOnlyList<string> From(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => e["Url"]).OfType<string>().ToList();
        if (endpoints.Count > 0) return endpoints;
        if (configuration["urls"] is { Length: > 0 } urls) return Split(urls);
        var ports = Split(configuration["http_ports"]).Select(p => $"http://*:{p}")
            .Concat(Split(configuration["https_ports"]).Select(p => $"https://*:{p}"))
            .ToList();
        return ports.Count > 0 ? ports : ["http://localhost:5000"];
    }

    public static bool IsHttps(string address) => address.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static List<string> Split(string? list) =>
        (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
