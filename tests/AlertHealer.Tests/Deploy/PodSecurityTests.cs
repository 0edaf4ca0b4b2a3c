using k8s.Models;

namespace AlertHealer.Tests.Deploy;

public class PodSecurityTests
{
    private static V1PodSpec Pod => DeployManifests.Named<V1Deployment>("alerthealer", "alerthealer").Spec.Template.Spec;

    private static V1Container Container => Assert.Single(Pod.Containers);

    [Fact]
    public void ThePodRunsAsTheNonRootAppUserOfTheChiseledImage()
    {
        var security = Pod.SecurityContext;

        Assert.True(security.RunAsNonRoot);
        Assert.Equal(1654, security.RunAsUser);
        Assert.Equal(1654, security.RunAsGroup);
        Assert.Equal(1654, security.FsGroup);
    }

    [Fact]
    public void ThePodUsesTheRuntimeDefaultSeccompProfile()
    {
        Assert.Equal("RuntimeDefault", Pod.SecurityContext.SeccompProfile.Type);
    }

    [Fact]
    public void TheContainerCannotEscalateOrWriteItsRootFilesystem()
    {
        var security = Container.SecurityContext;

        Assert.False(security.AllowPrivilegeEscalation);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.NotEqual(true, security.Privileged);
        Assert.NotEqual(false, security.RunAsNonRoot);
    }

    [Fact]
    public void TheContainerDropsAllCapabilitiesAndAddsNone()
    {
        var capabilities = Container.SecurityContext.Capabilities;

        Assert.Equal(["ALL"], capabilities.Drop);
        Assert.True(capabilities.Add is null || capabilities.Add.Count == 0);
    }

    [Fact]
    public void ThePodSharesNothingWithTheNode()
    {
        Assert.NotEqual(true, Pod.HostNetwork);
        Assert.NotEqual(true, Pod.HostPID);
        Assert.NotEqual(true, Pod.HostIPC);
        Assert.All(Pod.Volumes, v => Assert.Null(v.HostPath));
    }

    [Fact]
    public void ThePodRunsAsTheAlertHealerServiceAccountWithItsToken()
    {
        Assert.Equal("alerthealer", Pod.ServiceAccountName);
        Assert.True(Pod.AutomountServiceAccountToken);
    }
}
