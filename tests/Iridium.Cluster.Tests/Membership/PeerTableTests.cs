using Iridium.Cluster.Connections;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Membership;

public class PeerTableTests
{
    private static Peer NewPeer(string alias, Guid? id = null)
        => new(new PeerIdentity(id ?? Guid.NewGuid(), alias, "h", 1), new ClusterConnection(PipeTransport.CreatePair().Dialer, true, 1 << 20), 0);

    [Fact]
    public void TheDigestDependsOnTheSetNotTheOrder()
    {
        var self = Guid.NewGuid();
        var a = NewPeer("a");
        var b = NewPeer("b");
        var one = new PeerTable();
        one.Add(a);
        one.Add(b);
        var two = new PeerTable();
        two.Add(NewPeer("b", b.NodeId));
        two.Add(NewPeer("a", a.NodeId));
        Assert.Equal(one.Digest(self), two.Digest(self));
        two.Remove(two.FindByAlias("a")!);
        Assert.NotEqual(one.Digest(self), two.Digest(self));
    }

    [Fact]
    public void PeersAreFoundByIdAndAliasAndRemovedOnlyAsThemselves()
    {
        var table = new PeerTable();
        var a = NewPeer("a");
        table.Add(a);
        Assert.Same(a, table.FindByAlias("a"));
        Assert.True(table.TryGet(a.NodeId, out _));
        Assert.False(table.Remove(NewPeer("a", a.NodeId)));
        Assert.True(table.Remove(a));
        Assert.Null(table.FindByAlias("a"));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void RecordsLeaveOutTheExcludedPeer()
    {
        var table = new PeerTable();
        var a = NewPeer("a");
        table.Add(a);
        table.Add(NewPeer("b"));
        Assert.Equal("b", Assert.Single(table.Records(except: a.NodeId)).Alias);
    }
}
