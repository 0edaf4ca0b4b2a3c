using Microsoft.Extensions.Hosting;

namespace AlertHealer.Hosting;

// Where appsettings.json, and with it the shipped whisker policy, is read from.
//
// ASP.NET Core's content root defaults to the working directory, so a service started from
// anywhere else (a systemd unit, an image with another WORKDIR, `cd / && dotnet /app/AlertHealer.dll`)
// read no appsettings.json and refused to start without a policy. Unless a content root is
// given explicitly (--contentRoot, ASPNETCORE_CONTENTROOT, DOTNET_CONTENTROOT), the working
// directory is kept only when it holds an appsettings.json (`dotnet run` in src/AlertHealer, the
// image's /app); otherwise it is the folder of AlertHealer.dll, where the published file sits.
//
// The policy is not also written in code: one file says what ships, and an operator's
// configuration (environment, command line, a mounted appsettings.Production.json) overrides
// or adds to it as everywhere else in ASP.NET Core.
public static class ContentRoot
{
    public const string SettingsFile = "appsettings.json";

    public static WebApplicationOptions Options(string[] args) =>
        new() { Args = args, ContentRootPath = Choose(args, Directory.GetCurrentDirectory(), AppContext.BaseDirectory) };

    // Null leaves the choice to ASP.NET Core: an explicit setting, or the working directory.
    public static string? Choose(string[] args, string workingDirectory, string appDirectory)
    {
        var explicitRoot = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        if (!string.IsNullOrEmpty(explicitRoot)) return null;
        if (File.Exists(Path.Combine(workingDirectory, SettingsFile))) return null;
        return appDirectory;
    }
}
