using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AlertHealer.Alertmanager;
using AlertHealer.Loki;
using AlertHealer.Release;
using AlertHealer.Tests.Deploy;
using AlertHealer.Tests.Infrastructure;
using AlertHealer.Tests.Infrastructure.Kubernetes;
using AlertHealer.Ui;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace AlertHealer.Tests.Release;

// One version, Directory.Build.props', wherever a build or a deployment names it.
public sealed partial class VersionAgreementTests
{
    [GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();

    [GeneratedRegex(@"^AlertHealer (?<version>\S+) \(commit (?<revision>[0-9a-f]{40}|unknown)\)$")]
    private static partial Regex VersionLine();

    [Fact]
    public async Task TheRunningServiceShowsOneVersionEverywhere()
    {
        var version = ReleaseFiles.Version;
        Assert.Matches(SemVer(), version);

        var printed = await AppProcess.RunToExitAsync(new Dictionary<string, string?>(), urls: null, arguments: VersionCommand.Flag);
        Assert.Equal(0, printed.ExitCode);
        var line = VersionLine().Match(printed.StandardOutput.Trim());
        Assert.True(line.Success, printed.Output);
        Assert.Equal(version, line.Groups["version"].Value);
        var revision = line.Groups["revision"].Value;

        await using var kube = await FakeKubernetesApi.StartAsync(TimeProvider.System);
        var directory = Directory.CreateTempSubdirectory("alerthealer-version-").FullName;
        var settings = AppProcess.Settings(directory);
        settings["AlertHealer__Kubernetes__Mode"] = "Kubeconfig";
        settings["AlertHealer__Kubernetes__Kubeconfig"] = kube.WriteKubeconfig(directory);
        settings["AlertHealer__Kubernetes__LeaseNamespace"] = "alerthealer";
        settings["AlertHealer__Kubernetes__Identity"] = "alerthealer-version";
        settings["KUBERNETES_SERVICE_HOST"] = null;
        settings["KUBECONFIG"] = null;
        await using var app = await AppProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        // /readyz asks the API server for its version, so the server has a request to show.
        using var ready = await http.GetAsync("/readyz");
        var metrics = await http.GetStringAsync("/metrics");
        var openApi = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var page = await http.GetStringAsync("/ui/");

        Assert.Contains($"alerthealer_build_info{{version=\"{version}\",revision=\"{revision}\",store=\"sqlite\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Equal(version, (string?)openApi["info"]!["version"]);
        Assert.Contains($"<span id=\"version\">{version}</span>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(UiFiles.VersionPlaceholder, page, StringComparison.Ordinal);
        Assert.Contains($"AlertHealer {version} (commit {revision}) starting with the sqlite store", app.Output, StringComparison.Ordinal);
        Assert.NotEmpty(kube.Requests);
        Assert.All(kube.Requests, r => Assert.Equal($"AlertHealer/{version}", r.UserAgent));
    }

    [Fact]
    public async Task LokiAndAlertmanagerAreToldWhichBuildAsks()
    {
        await using var loki = await FakeLoki.StartAsync();
        await using var alertmanager = await FakeAlertmanager.StartAsync();
        loki.AnswerVector(1);
        await using var app = await TestApp.StartAsync(s =>
        {
            s["AlertHealer:Loki:BaseUrl"] = loki.BaseUrl.ToString();
            s["AlertHealer:Alertmanager:BaseUrl"] = alertmanager.BaseUrl.ToString();
        });

        await app.Services.GetRequiredService<ILokiApi>().QueryAsync("vector(1)", "1732800000", null, CancellationToken.None);
        await app.Services.GetRequiredService<IAlertmanagerApi>().PostAlertsAsync([], CancellationToken.None);

        Assert.Equal($"AlertHealer/{ReleaseFiles.Version}", Assert.Single(loki.Queries).Header("User-Agent"));
        Assert.Equal($"AlertHealer/{ReleaseFiles.Version}", Assert.Single(alertmanager.AlertPosts).Header("User-Agent"));
    }

    [Fact]
    public async Task TheImageAndEveryDeploymentNameTheSameVersion()
    {
        var version = ReleaseFiles.Version;

        var baseImage = Assert.Single(DeployManifests.Single<V1Deployment>().Spec.Template.Spec.Containers).Image;
        var haImage = Assert.Single(Assert.Single(Overlay.Build("ha-postgres").OfType<V1Deployment>()).Spec.Template.Spec.Containers).Image;
        Assert.Equal($"ghcr.io/alerthealer/alerthealer:{version}", baseImage);
        Assert.Equal(baseImage, haImage);

        var variables = await TerraformModule.SectionAsync("variable");
        Assert.Equal(version, (string?)variables["image_tag"]![0]!["default"]);
        Assert.Equal("ghcr.io/alerthealer/alerthealer", (string?)variables["image"]![0]!["default"]);
        Assert.Contains("${var.image}:${var.image_tag}", (await TerraformModule.ResourcesAsync("kubernetes_deployment_v1")).ToJsonString(), StringComparison.Ordinal);

        var docker = Dockerfile.Load();
        var versionArgs = docker.Instructions.Where(i => i.Keyword == "ARG" && i.Arguments.StartsWith("VERSION", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, versionArgs.Count);
        Assert.All(versionArgs, a => Assert.Equal($"VERSION={version}", a.Arguments));
        var labels = Assert.Single(docker.FinalStage, i => i.Keyword == "LABEL").Arguments;
        foreach (var (label, value) in new[] { ("version", "$VERSION"), ("revision", "$REVISION"), ("created", "$CREATED"), ("source", "$SOURCE"), ("licenses", "$LICENSES") })
            Assert.Contains($"org.opencontainers.image.{label}=\"{value}\"", labels, StringComparison.Ordinal);
        // The image build refuses a VERSION argument that is not the project's.
        Assert.Contains(docker.Stages[0], i => i.Keyword == "RUN" && i.Arguments.Contains("-getProperty:Version", StringComparison.Ordinal) && i.Arguments.Contains("\"$VERSION\"", StringComparison.Ordinal));
        Assert.Contains(docker.Stages[0], i => i.Keyword == "RUN" && i.Arguments.Contains("-p:SourceRevisionId=$REVISION", StringComparison.Ordinal));

        Assert.Contains($"## [{version}]", RepoFiles.Read("CHANGELOG.md"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.0.0+0284431767", "1.0.0", "0284431767")]
    [InlineData("1.0.0", "1.0.0", BuildInfo.UnknownRevision)]
    [InlineData("1.2.0-rc.1+", "1.2.0-rc.1", BuildInfo.UnknownRevision)]
    public void ABuildWithoutACommitSaysUnknown(string informational, string version, string revision)
    {
        Assert.Equal((version, revision), BuildInfo.Parse(informational));
    }
}
