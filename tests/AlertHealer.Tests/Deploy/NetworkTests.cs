using k8s.Models;

namespace AlertHealer.Tests.Deploy;

public class NetworkTests
{
    private static V1NetworkPolicy Policy => DeployManifests.Named<V1NetworkPolicy>("alerthealer", "alerthealer");

    [Fact]
    public void ThePolicySelectsTheAlertHealerPodAndRestrictsBothDirections()
    {
        Assert.Equal("alerthealer", Policy.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"]);
        Assert.Equal(["Egress", "Ingress"], Policy.Spec.PolicyTypes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void IngressIsAllowedOnlyOn8080FromAlertmanagerAndPrometheusInMonitoring()
    {
        var rule = Assert.Single(Policy.Spec.Ingress);

        var port = Assert.Single(rule.Ports);
        Assert.Equal("TCP", port.Protocol);
        Assert.Equal("8080", port.Port.Value);

        // Namespace and pod selectors in ONE peer (AND); two peers would mean OR.
        var peer = Assert.Single(rule.FromProperty);
        Assert.Null(peer.IpBlock);
        Assert.Equal("monitoring", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        var expression = Assert.Single(peer.PodSelector.MatchExpressions);
        Assert.Equal("app.kubernetes.io/name", expression.Key);
        Assert.Equal("In", expression.OperatorProperty);
        Assert.Equal(["alertmanager", "prometheus"], expression.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EgressAllowsDnsOverUdpAndTcpToKubeDns()
    {
        var dns = Assert.Single(Policy.Spec.Egress, r => r.Ports.Any(p => p.Port.Value == "53"));

        Assert.Equal(["TCP/53", "UDP/53"], dns.Ports.Select(p => $"{p.Protocol}/{p.Port.Value}").Order(StringComparer.Ordinal));
        var peer = Assert.Single(dns.To);
        Assert.Equal("kube-system", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal("kube-dns", peer.PodSelector.MatchLabels["k8s-app"]);
    }

    [Fact]
    public void EgressAllowsTheApiServerOn443And6443()
    {
        var api = Assert.Single(Policy.Spec.Egress, r => r.Ports.Any(p => p.Port.Value == "6443"));

        Assert.Equal(["TCP/443", "TCP/6443"], api.Ports.Select(p => $"{p.Protocol}/{p.Port.Value}").Order(StringComparer.Ordinal));
        Assert.All(api.To, peer => Assert.NotNull(peer.IpBlock));
    }

    [Fact]
    public void EgressAllowsLokiAndAlertmanagerInMonitoringOnTheirPorts()
    {
        AssertEgressTo("loki", "3100");
        AssertEgressTo("alertmanager", "9093");
    }

    [Fact]
    public void EveryEgressRuleIsLimitedToPorts()
    {
        Assert.Equal(4, Policy.Spec.Egress.Count);
        Assert.All(Policy.Spec.Egress, r => Assert.NotEmpty(r.Ports));
        Assert.All(Policy.Spec.Egress, r => Assert.NotEmpty(r.To));
    }

    [Fact]
    public void TheServiceExposes8080AndTargetsTheContainersHttpPort()
    {
        var service = DeployManifests.Named<V1Service>("alerthealer", "alerthealer");
        var deployment = DeployManifests.Named<V1Deployment>("alerthealer", "alerthealer");
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);

        Assert.Equal("ClusterIP", service.Spec.Type);
        var port = Assert.Single(service.Spec.Ports);
        Assert.Equal(8080, port.Port);

        // targetPort may be a name or a number; either way it must land on 8080.
        var target = port.TargetPort.Value;
        var containerPort = int.TryParse(target, out var number)
            ? Assert.Single(container.Ports, p => p.ContainerPort == number)
            : Assert.Single(container.Ports, p => p.Name == target);
        Assert.Equal(8080, containerPort.ContainerPort);

        Assert.All(service.Spec.Selector, kv => Assert.Equal(kv.Value, deployment.Spec.Template.Metadata.Labels[kv.Key]));
    }

    private static void AssertEgressTo(string app, string port)
    {
        var rule = Assert.Single(
            Policy.Spec.Egress,
            r => r.To.Any(p => p.PodSelector?.MatchLabels is { } labels
                && labels.TryGetValue("app.kubernetes.io/name", out var name) && name == app));

        Assert.Equal([$"TCP/{port}"], rule.Ports.Select(p => $"{p.Protocol}/{p.Port.Value}"));
        var peer = Assert.Single(rule.To);
        Assert.Equal("monitoring", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
    }
}
