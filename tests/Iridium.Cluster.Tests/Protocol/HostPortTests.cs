namespace Iridium.Cluster.Tests.Protocol;

public class HostPortTests
{
    [Theory]
    [InlineData("127.0.0.1:2254", "127.0.0.1", 2254)]
    [InlineData("localhost:1", "localhost", 1)]
    [InlineData("[::1]:65535", "::1", 65535)]
    public void ParsesHostAndPort(string text, string host, int port)
    {
        Assert.True(HostPort.TryParse(text, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("")]
    [InlineData("host")]
    [InlineData("host:")]
    [InlineData(":80")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("::1:80")]
    [InlineData("host:-1")]
    public void RejectsMalformed(string text) => Assert.False(HostPort.TryParse(text, out _, out _));

    [Fact]
    public void UnspecifiedAddressesAreNotAdvertisable()
    {
        Assert.True(HostPort.IsUnspecified("0.0.0.0"));
        Assert.True(HostPort.IsUnspecified("::"));
        Assert.True(HostPort.IsUnspecified(""));
        Assert.False(HostPort.IsUnspecified("127.0.0.1"));
        Assert.Equal("[::1]:5", HostPort.Format("::1", 5));
    }
}
