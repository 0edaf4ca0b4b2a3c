using k8s.Models;

namespace AlertHealer.Tests.Deploy;

public class DeploymentTests
{
    private static V1Deployment Deployment => DeployManifests.Named<V1Deployment>("alerthealer", "alerthealer");

    private static V1Container Container => Assert.Single(Deployment.Spec.Template.Spec.Containers);

    [Fact]
    public void OneReplicaIsReplacedWithRecreateBecauseTheSqliteVolumeIsReadWriteOnce()
    {
        Assert.Equal(1, Deployment.Spec.Replicas);
        Assert.Equal("Recreate", Deployment.Spec.Strategy.Type);

        var pvc = DeployManifests.Named<V1PersistentVolumeClaim>("alerthealer", "alerthealer-data");
        Assert.Equal(["ReadWriteOnce"], pvc.Spec.AccessModes);
        Assert.Equal(new ResourceQuantity("1Gi"), pvc.Spec.Resources.Requests["storage"]);
    }

    [Fact]
    public void TheSelectorMatchesThePodTemplateLabels()
    {
        var selector = Deployment.Spec.Selector.MatchLabels;
        var labels = Deployment.Spec.Template.Metadata.Labels;

        Assert.Equal("alerthealer", selector["app.kubernetes.io/name"]);
        Assert.All(selector, kv => Assert.Equal(kv.Value, labels[kv.Key]));
    }

    [Fact]
    public void TheContainerListensOnPort8080NamedHttp()
    {
        var port = Assert.Single(Container.Ports);

        Assert.Equal("http", port.Name);
        Assert.Equal(8080, port.ContainerPort);
        Assert.Equal("8080", Env("ASPNETCORE_HTTP_PORTS"));
    }

    [Fact]
    public void LivenessAndStartupProbeHealthzAndReadinessProbesReadyz()
    {
        Assert.Equal("/healthz", Container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", Container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", Container.StartupProbe.HttpGet.Path);
        Assert.All(
            [Container.LivenessProbe, Container.ReadinessProbe, Container.StartupProbe],
            p => Assert.Equal("http", p.HttpGet.Port.Value));
    }

    [Fact]
    public void TheContainerRequestsCpuAndMemoryAndIsCappedOnMemory()
    {
        var resources = Container.Resources;

        Assert.Equal(new ResourceQuantity("50m"), resources.Requests["cpu"]);
        Assert.Equal(new ResourceQuantity("96Mi"), resources.Requests["memory"]);
        Assert.Equal(new ResourceQuantity("256Mi"), resources.Limits["memory"]);
    }

    [Fact]
    public void TheServiceIsConfiguredForTheClusterThroughEnvironmentVariables()
    {
        Assert.Equal("InCluster", Env("AlertHealer__Kubernetes__Mode"));
        Assert.Equal("/var/run/secrets/alerthealer/webhook-token", Env("AlertHealer__Auth__WebhookTokenFile"));
        Assert.Equal("/var/run/secrets/alerthealer/operator-token", Env("AlertHealer__Auth__OperatorTokenFile"));
        Assert.Equal("/var/run/secrets/alerthealer/reader-token", Env("AlertHealer__Auth__ReaderTokenFile"));
        Assert.Equal("Data Source=/var/lib/alerthealer/alerthealer.db", Env("AlertHealer__Store__ConnectionString"));
    }

    [Fact]
    public void TheAuditDatabaseLivesOnTheDataVolume()
    {
        var mount = Mount("/var/lib/alerthealer");
        var volume = Volume(mount.Name);

        Assert.NotEqual(true, mount.ReadOnlyProperty);
        Assert.Equal("alerthealer-data", volume.PersistentVolumeClaim.ClaimName);
    }

    [Fact]
    public void TheTokensAreMountedReadOnlyFromTheSecret()
    {
        var mount = Mount("/var/run/secrets/alerthealer");
        var secret = Volume(mount.Name).Secret;

        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("alerthealer-tokens", secret.SecretName);
        Assert.Equal(Convert.ToInt32("440", 8), secret.DefaultMode);
        Assert.Equal(
            ["operator-token", "reader-token", "webhook-token"],
            secret.Items.Select(i => i.Path).Order(StringComparer.Ordinal));
        Assert.All(secret.Items, i => Assert.Equal(i.Key, i.Path));
    }

    [Fact]
    public void TheSecretTemplateHoldsEachTokenAsAPlaceholder()
    {
        var secret = DeployManifests.Named<V1Secret>("alerthealer", "alerthealer-tokens");

        Assert.Equal(
            ["operator-token", "reader-token", "webhook-token"],
            secret.StringData.Keys.Order(StringComparer.Ordinal));
        Assert.All(secret.StringData.Values, v => Assert.Equal("CHANGE-ME", v));
    }

    [Fact]
    public void TmpIsAWritableEmptyDirBecauseTheRootFilesystemIsReadOnly()
    {
        var mount = Mount("/tmp");

        Assert.NotNull(Volume(mount.Name).EmptyDir);
    }

    [Fact]
    public void EveryVolumeIsMountedAndEveryMountHasAVolume()
    {
        var volumes = Deployment.Spec.Template.Spec.Volumes.Select(v => v.Name).Order(StringComparer.Ordinal);
        var mounts = Container.VolumeMounts.Select(m => m.Name).Order(StringComparer.Ordinal);

        Assert.Equal(volumes, mounts);
    }

    [Fact]
    public void ThePodDisruptionBudgetDoesNotBlockNodeDrains()
    {
        var pdb = DeployManifests.Named<V1PodDisruptionBudget>("alerthealer", "alerthealer");

        // With one replica, minAvailable: 1 would forbid every eviction.
        if (pdb.Spec.MinAvailable is { } min)
        {
            Assert.Equal("0", min.Value);
        }
        else
        {
            Assert.Equal("1", pdb.Spec.MaxUnavailable.Value);
        }

        Assert.Equal("alerthealer", pdb.Spec.Selector.MatchLabels["app.kubernetes.io/name"]);
    }

    private static string? Env(string name) => Assert.Single(Container.Env, e => e.Name == name).Value;

    private static V1VolumeMount Mount(string path) => Assert.Single(Container.VolumeMounts, m => m.MountPath == path);

    private static V1Volume Volume(string name) => Assert.Single(Deployment.Spec.Template.Spec.Volumes, v => v.Name == name);
}
