using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Preflight;

// `dotnet AlertHealer.dll preflight` as an operator runs it: a table, an exit code, and nothing done.
public sealed class PreflightCommandTests
{
    private static Dictionary<string, string?> Settings(string directory, string kubeconfig)
    {
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__Kubernetes__Mode"] = "Kubeconfig";
        settings["AlertHealer__Kubernetes__Kubeconfig"] = kubeconfig;
        return settings;
    }

    [Fact]
    public async Task TheCommandPrintsEveryCheckAndExitsZeroWhenAllPass()
    {
        var (kube, _) = await PreflightHarness.ClusterAsync();
        await using var _k = kube;
        var directory = Directory.CreateTempSubdirectory("alerthealer-preflight-").FullName;

        var exit = await AppProcess.RunToExitAsync(Settings(directory, kube.WriteKubeconfig(directory)), urls: null, arguments: ["preflight"]);

        Assert.True(exit.ExitCode == 0, exit.ToString());
        Assert.Matches(@"(?m)^POLICY\s+CHECK\s+RESULT\s+REASON", exit.StandardOutput);
        Assert.Matches(@"(?m)^whisker\s+rbac/calico-system/pods/delete\s+ok\s+RBAC: allowed by RoleBinding", exit.StandardOutput);
        Assert.Matches(@"(?m)^whisker\s+selector/target\s+ok\s+1 pod\(s\) in calico-system match k8s-app=whisker", exit.StandardOutput);
        Assert.Contains("11 checks passed", exit.StandardOutput);
        AssertNothingDone(kube);
        // The store is never opened: no database file appears.
        Assert.False(File.Exists(Path.Combine(directory, "alerthealer.db")));
    }

    [Fact]
    public async Task TheCommandExitsTwoAndNamesTheFailedCheck()
    {
        var (kube, _) = await PreflightHarness.ClusterAsync(whisker: false);
        await using var _k = kube;
        kube.DenyClient("delete", "pods", "calico-system");
        var directory = Directory.CreateTempSubdirectory("alerthealer-preflight-").FullName;

        var exit = await AppProcess.RunToExitAsync(Settings(directory, kube.WriteKubeconfig(directory)), urls: null, arguments: ["preflight"]);

        Assert.True(exit.ExitCode == 2, exit.ToString());
        Assert.Matches(@"(?m)^whisker\s+rbac/calico-system/pods/delete\s+failed\s+may not delete pods in calico-system \(not allowed\)", exit.StandardOutput);
        Assert.Matches(@"(?m)^whisker\s+selector/target\s+failed\s+no pod in calico-system matches k8s-app=whisker", exit.StandardOutput);
        Assert.Contains("2 of 11 checks failed", exit.StandardOutput);
        AssertNothingDone(kube);
    }

    [Fact]
    public async Task TheCommandRefusesABadSettingAsAStartWould()
    {
        var directory = Directory.CreateTempSubdirectory("alerthealer-preflight-").FullName;
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__Preflight__Interval"] = "00:00:01";

        var exit = await AppProcess.RunToExitAsync(settings, urls: null, arguments: ["preflight"]);

        Assert.True(exit.ExitCode == 1, exit.ToString());
        Assert.Contains("AlertHealer cannot start: AlertHealer:Preflight:Interval must be between 00:00:30 and 1.00:00:00", exit.StandardError);
    }

    // Reviews and reads only: no delete, no lease, no Event.
    private static void AssertNothingDone(Infrastructure.Kubernetes.FakeKubernetesApi kube)
    {
        Assert.Contains(kube.Requests, r => r.Is("create", "selfsubjectaccessreviews"));
        Assert.All(kube.Requests, r => Assert.True(r.Verb is "get" or "list" || r.Is("create", "selfsubjectaccessreviews"), $"{r.Verb} {r.Resource}"));
    }
}
