using System.Text.RegularExpressions;
using AlertHealer.Tests.Infrastructure;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace AlertHealer.Tests.Deploy;

// deploy/postgres: the example CloudNativePG Cluster agrees with the component and the README.
public sealed partial class CloudNativePgExampleTests
{
    private static readonly YamlMappingNode Cluster = Load();

    [Fact]
    public void TwoInstancesOnDifferentNodesWithADatabaseOwnedByAlertHealersRole()
    {
        Assert.Equal("postgresql.cnpg.io/v1", Scalar("apiVersion"));
        Assert.Equal("Cluster", Scalar("kind"));
        Assert.Equal("alerthealer", Scalar("metadata", "namespace"));
        Assert.Equal("2", Scalar("spec", "instances"));
        Assert.Equal("alerthealer", Scalar("spec", "bootstrap", "initdb", "database"));
        Assert.Equal("alerthealer", Scalar("spec", "bootstrap", "initdb", "owner"));
        Assert.Equal("2Gi", Scalar("spec", "storage", "size"));
        Assert.Equal("kubernetes.io/hostname", Scalar("spec", "affinity", "topologyKey"));
        Assert.Equal("required", Scalar("spec", "affinity", "podAntiAffinityType"));
    }

    [Fact]
    public void TheComponentsEgressRuleSelectsThisClustersPods()
    {
        var policy = Assert.Single(Overlay.Build("ha-postgres").OfType<k8s.Models.V1NetworkPolicy>());
        var peer = policy.Spec.Egress.Single(r => r.Ports.Any(p => p.Port.Value == "5432")).To.Single();

        Assert.Equal(Scalar("metadata", "name"), peer.PodSelector.MatchLabels["cnpg.io/cluster"]);
    }

    [Fact]
    public void TheReadmesConnectionStringReachesThePrimaryServiceAsTheOwner()
    {
        var readme = RepoFiles.Read("deploy", "postgres", "README.md");
        var connectionString = ConnectionString().Match(readme).Groups[1].Value;

        var parsed = new NpgsqlConnectionStringBuilder(connectionString);

        Assert.Equal(Scalar("metadata", "name") + "-rw", parsed.Host);
        Assert.Equal(5432, parsed.Port);
        Assert.Equal(Scalar("spec", "bootstrap", "initdb", "database"), parsed.Database);
        Assert.Equal(Scalar("spec", "bootstrap", "initdb", "owner"), parsed.Username);
        Assert.Equal("$password", parsed.Password);
        // The password comes from the Secret CloudNativePG names <cluster>-app.
        Assert.Contains($"get secret {Scalar("metadata", "name")}-app ", readme);
    }

    [GeneratedRegex("connection-string=\"([^\"]+)\"")]
    private static partial Regex ConnectionString();

    private static string Scalar(params string[] path)
    {
        YamlNode node = Cluster;
        foreach (var key in path) node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        return ((YamlScalarNode)node).Value!;
    }

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(RepoFiles.Read("deploy", "postgres", "cloudnativepg-cluster.yaml")));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }
}
