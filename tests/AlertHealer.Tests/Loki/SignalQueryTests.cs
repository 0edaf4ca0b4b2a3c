using AlertHealer.Loki;

namespace AlertHealer.Tests.Loki;

public sealed class SignalQueryTests
{
    [Fact]
    public void BothPlaceholdersAreFilledIn()
    {
        var query = SignalQuery.Render("""sum(count_over_time({namespace="$namespace", pod="$pod"} [11m]))""", "calico-system", "whisker-5b8d6c7f9-x2kqp");

        Assert.Equal("""sum(count_over_time({namespace="calico-system", pod="whisker-5b8d6c7f9-x2kqp"} [11m]))""", query);
    }

    [Fact]
    public void APlaceholderNameInsideALongerWordIsLeftAlone()
    {
        var query = SignalQuery.Render("""{pod="$pod", x="$podname"} |~ "end$" """, "ns", "p");

        Assert.Equal("""{pod="p", x="$podname"} |~ "end$" """, query);
    }

    [Fact]
    public void EscapingDoublesBackslashesAndEscapesQuotes()
    {
        Assert.Equal("""a\\b\"c""", SignalQuery.Escape("""a\b"c"""));
    }

    [Theory]
    [InlineData("whisker-5b8d6c7f9-x2kqp", true)]
    [InlineData("calico-system", true)]
    [InlineData("pod.with.dots", true)]
    [InlineData("", false)]
    [InlineData("Whisker", false)]
    [InlineData("-leading", false)]
    [InlineData("pod\"}", false)]
    [InlineData("pod\\", false)]
    [InlineData("pod name", false)]
    [InlineData("pod\n", false)]
    public void OnlyKubernetesNamesAreLabelSafe(string value, bool safe)
    {
        Assert.Equal(safe, SignalQuery.IsLabelSafe(value));
    }

    [Fact]
    public void ANameLongerThanKubernetesAllowsIsRefused()
    {
        Assert.True(SignalQuery.IsLabelSafe(new string('a', 253)));
        Assert.False(SignalQuery.IsLabelSafe(new string('a', 254)));
    }

    [Fact]
    public void RenderingRefusesAValueThatCouldLeaveTheString()
    {
        var error = Assert.Throws<ArgumentException>(() => SignalQuery.Render("""{pod="$pod"}""", "ns", "x\"} or vector(1)"));

        Assert.Equal("pod", error.ParamName);
    }
}
