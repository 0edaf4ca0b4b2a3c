using System.Net;
using AlertHealer.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace AlertHealer.Tests.Deploy;

// deploy/components/tls: a cert-manager Certificate, the Secret mounted, HTTPS only on 8443.
public sealed class TlsComponentTests
{
    private const string MountPath = "/var/run/secrets/alerthealer-tls";

    private static readonly Lazy<IReadOnlyList<object>> Built = new(() => KubernetesManifests.LoadAllFromString(
        KustomizeBuildTests.BuildWithComponents("tls"),
        new Dictionary<string, Type> { [CertificateManifest.TypeKey] = typeof(CertificateManifest) },
        strict: true));

    private static V1Container Container => Assert.Single(Assert.Single(Built.Value.OfType<V1Deployment>()).Spec.Template.Spec.Containers);

    private static string? Env(string name) => Assert.Single(Container.Env, e => e.Name == name).Value;

    [Fact]
    public void TheCertificateNamesTheServiceAndLeavesTheIssuerToTheOperator()
    {
        var certificate = Assert.Single(Built.Value.OfType<CertificateManifest>());

        Assert.Equal(("alerthealer", "alerthealer-tls"), (certificate.Metadata.NamespaceProperty, certificate.Metadata.Name));
        Assert.Equal("alerthealer-tls", certificate.Spec.SecretName);
        Assert.Equal("CHANGE-ME", certificate.Spec.IssuerRef.Name);
        Assert.Contains("alerthealer.alerthealer.svc", certificate.Spec.DnsNames);
        Assert.Contains("server auth", certificate.Spec.Usages);
        Assert.Equal("alerthealer", certificate.Metadata.Labels["app.kubernetes.io/name"]);
    }

    [Fact]
    public void TheDeploymentServesHttpsOnlyFromTheMountedSecretAndProbesOverHttps()
    {
        var deployment = Assert.Single(Built.Value.OfType<V1Deployment>());
        var mount = Assert.Single(Container.VolumeMounts, m => m.MountPath == MountPath);
        var volume = Assert.Single(deployment.Spec.Template.Spec.Volumes, v => v.Name == mount.Name);

        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("alerthealer-tls", volume.Secret.SecretName);
        Assert.Equal($"{MountPath}/tls.crt", Env("AlertHealer__Tls__CertificateFile"));
        Assert.Equal($"{MountPath}/tls.key", Env("AlertHealer__Tls__KeyFile"));
        Assert.Equal("Required", Env("AlertHealer__Tls__Mode"));
        Assert.Equal("", Env("ASPNETCORE_HTTP_PORTS") ?? "");
        Assert.Equal("8443", Env("ASPNETCORE_HTTPS_PORTS"));
        var port = Assert.Single(Container.Ports);
        Assert.Equal(("https", 8443), (port.Name, port.ContainerPort));
        Assert.All([Container.StartupProbe, Container.LivenessProbe, Container.ReadinessProbe], p =>
        {
            Assert.Equal("HTTPS", p.HttpGet.Scheme);
            Assert.Equal("https", p.HttpGet.Port.Value);
        });
    }

    [Fact]
    public void TheServiceAndTheNetworkPolicyOpen8443Instead()
    {
        var service = Assert.Single(Assert.Single(Built.Value.OfType<V1Service>()).Spec.Ports);
        var ingress = Assert.Single(Assert.Single(Built.Value.OfType<V1NetworkPolicy>()).Spec.Ingress);

        Assert.Equal(("https", 8443, "https"), (service.Name, service.Port, service.TargetPort.Value));
        Assert.Equal("8443", Assert.Single(ingress.Ports).Port.Value);
    }

    // The container's environment as the image and the component set it, run for real: only
    // HTTPS is served although the image still says ASPNETCORE_HTTP_PORTS=8080.
    [Fact]
    public async Task TheComponentsSettingsServeOnlyHttps()
    {
        var ca = TestCertificates.CreateAuthority();
        var secret = StartupTests.NewDirectory();
        var (leaf, key) = ca.IssueServer();
        var (certificateFile, keyFile) = ca.WriteSecret(secret, leaf, key);
        var settings = AppProcess.Settings(secret);
        settings["ASPNETCORE_HTTP_PORTS"] = "8080";
        foreach (var e in Container.Env.Where(e => e.Name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || e.Name.StartsWith("AlertHealer__Tls__", StringComparison.Ordinal)))
            settings[e.Name] = e.Value ?? "";
        // Files and port of the test: the folder of the mounted Secret, any free port.
        settings["AlertHealer__Tls__CertificateFile"] = Env("AlertHealer__Tls__CertificateFile")!.Replace(MountPath, secret, StringComparison.Ordinal);
        settings["AlertHealer__Tls__KeyFile"] = Env("AlertHealer__Tls__KeyFile")!.Replace(MountPath, secret, StringComparison.Ordinal);
        settings["ASPNETCORE_HTTPS_PORTS"] = "0";
        Assert.Equal((certificateFile, keyFile), (settings["AlertHealer__Tls__CertificateFile"], settings["AlertHealer__Tls__KeyFile"]));

        await using var app = await AppProcess.StartAsync(settings, urls: null);

        var address = Assert.Single(app.Addresses);
        Assert.Equal("https", address.Scheme);
        using var client = ca.TrustingClient(new UriBuilder(address) { Host = "127.0.0.1" }.Uri);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}
