using k8s.Models;

namespace AlertHealer.Tests.Deploy;

// deploy/components/ha-postgres on the base, as kubectl kustomize builds it.
public sealed class HaPostgresComponentTests
{
    private static readonly Lazy<IList<object>> Built = new(() => Overlay.Build("ha-postgres"));

    private static V1Deployment Deployment => Assert.Single(Built.Value.OfType<V1Deployment>());
    private static V1PodSpec Pod => Deployment.Spec.Template.Spec;
    private static V1Container Container => Assert.Single(Pod.Containers);

    [Fact]
    public void TwoReplicasRollOneAtATimeWithoutEverGoingBelowTwoReady()
    {
        Assert.Equal(2, Deployment.Spec.Replicas);
        Assert.Equal("RollingUpdate", Deployment.Spec.Strategy.Type);
        Assert.Equal("0", Deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal("1", Deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal("/readyz", Container.ReadinessProbe.HttpGet.Path);
    }

    [Fact]
    public void ADisruptionBudgetKeepsOneReplicaThroughDrains()
    {
        var pdb = Assert.Single(Built.Value.OfType<V1PodDisruptionBudget>());

        Assert.Equal("1", pdb.Spec.MinAvailable.Value);
        Assert.Null(pdb.Spec.MaxUnavailable);
        Assert.All(pdb.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, Deployment.Spec.Template.Metadata.Labels[kv.Key]));
    }

    [Fact]
    public void ReplicasAreSpreadOverNodesAndPreferNotToShareOne()
    {
        var spread = Assert.Single(Pod.TopologySpreadConstraints);
        var avoid = Assert.Single(Pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);

        Assert.Equal("kubernetes.io/hostname", spread.TopologyKey);
        Assert.Equal(1, spread.MaxSkew);
        Assert.Equal("DoNotSchedule", spread.WhenUnsatisfiable);
        Assert.Equal("Honor", spread.NodeTaintsPolicy);
        Assert.Equal("kubernetes.io/hostname", avoid.PodAffinityTerm.TopologyKey);
        foreach (var selector in new[] { spread.LabelSelector, avoid.PodAffinityTerm.LabelSelector })
        {
            Assert.All(selector.MatchLabels, kv => Assert.Equal(kv.Value, Deployment.Spec.Template.Metadata.Labels[kv.Key]));
        }
    }

    [Fact]
    public void NoVolumeClaimIsLeftAndNothingIsMountedForSqlite()
    {
        Assert.Empty(Built.Value.OfType<V1PersistentVolumeClaim>());
        Assert.All(Pod.Volumes, v => Assert.Null(v.PersistentVolumeClaim));
        Assert.DoesNotContain(Container.VolumeMounts, m => m.MountPath == "/var/lib/alerthealer");
        Assert.Equal(
            Pod.Volumes.Select(v => v.Name).Order(StringComparer.Ordinal),
            Container.VolumeMounts.Select(m => m.Name).Order(StringComparer.Ordinal));
        // Everything else of the base is still there.
        Assert.Equal(DeployManifests.Objects.Count - 1, Built.Value.Count);
    }

    [Fact]
    public void TheProviderIsPostgresWithTheConnectionStringReadFromTheMountedSecret()
    {
        var env = Container.Env.ToDictionary(e => e.Name, e => e.Value);
        var file = env["AlertHealer__Store__ConnectionStringFile"];
        var mount = Assert.Single(Container.VolumeMounts, m => m.MountPath == Path.GetDirectoryName(file));
        var secret = Assert.Single(Pod.Volumes, v => v.Name == mount.Name).Secret;

        Assert.Equal("Postgres", env["AlertHealer__Store__Provider"]);
        Assert.False(env.ContainsKey("AlertHealer__Store__ConnectionString"));
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("alerthealer-db", secret.SecretName);
        Assert.Equal(Convert.ToInt32("440", 8), secret.DefaultMode);
        var item = Assert.Single(secret.Items);
        Assert.Equal(Path.GetFileName(file), item.Path);
        Assert.Equal("connection-string", item.Key);
    }

    [Fact]
    public void EgressReachesPostgresOn5432OnlyAtTheCloudNativePgClusterPods()
    {
        var policy = Assert.Single(Built.Value.OfType<V1NetworkPolicy>());
        var rule = Assert.Single(policy.Spec.Egress, r => r.Ports.Any(p => p.Port.Value == "5432"));

        Assert.Equal(["TCP/5432"], rule.Ports.Select(p => $"{p.Protocol}/{p.Port.Value}"));
        var peer = Assert.Single(rule.To);
        Assert.Null(peer.NamespaceSelector);
        Assert.Null(peer.IpBlock);
        Assert.Equal("alerthealer-db", Assert.Single(peer.PodSelector.MatchLabels, kv => kv.Key == "cnpg.io/cluster").Value);
        Assert.Equal(5, policy.Spec.Egress.Count);
    }
}
