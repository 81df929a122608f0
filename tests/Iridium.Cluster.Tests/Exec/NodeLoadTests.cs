using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Tests.Exec;

public class NodeLoadTests
{
    [Fact]
    public void ALoadReportRoundTrips()
    {
        Assert.True(NodeLoad.TryRead(new NodeLoad(7, 2).ToBody(), out var load));
        Assert.Equal(new NodeLoad(7, 2), load);
    }

    [Theory]
    [InlineData("")]
    [InlineData("49525831030000000100000000")]   // one byte too long
    [InlineData("495258320300000001000000")]     // another magic
    [InlineData("4952583103000000ffffffff")]     // negative queue
    public void OtherDataBodiesAreNotLoadReports(string hex)
        => Assert.False(NodeLoad.TryRead(Convert.FromHexString(hex), out _));
}
