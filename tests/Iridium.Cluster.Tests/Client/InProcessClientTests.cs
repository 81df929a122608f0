using Iridium.Cluster.Client;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Client;

/// <summary>A client inside the node's own process (the REPL's): answered as a tool is, on one of the node's client slots.</summary>
public sealed class InProcessClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task IsAnsweredAsAToolIs_AndGivesItsSlotBack()
    {
        await using var cluster = new TestCluster();
        var options = TestCluster.Options("a");
        options.MaxClientConnections = 2;
        var node = await cluster.StartAsync(options);

        await using (var client = node.OpenInProcessClient("repl", Wait))
        {
            Assert.Equal("a", client.NodeAlias);
            var member = Assert.Single(await client.MembersAsync());
            Assert.Equal("a", member.Alias);
            Assert.Contains(node.Clients.Connections, connection => connection.RemoteHost == "repl");
        }
        await Eventually.True(() => node.Clients.Count == 0, Wait, "the in-process client's slot given back");
    }

    [Fact]
    public async Task TakesOneOfTheNodesClientSlots_AndIsRefusedWhenNoneIsLeft()
    {
        await using var cluster = new TestCluster();
        var options = TestCluster.Options("a");
        options.MaxClientConnections = 1;
        var node = await cluster.StartAsync(options);

        await using var first = node.OpenInProcessClient("repl", Wait);
        var refused = Assert.Throws<ClusterClientException>(() => node.OpenInProcessClient("repl", Wait));
        Assert.Contains("too many client connections", refused.Message);
        // A tool from the network is refused as well: the slot is the node's, whoever holds it. (Its
        // refusal comes at once; the generous timeout is for a loaded machine's handshake, which took
        // over 2 s under stress-ng --cpu 2.)
        var tool = await Assert.ThrowsAsync<ClusterClientException>(() => ClusterClient.ConnectAsync("127.0.0.1", node.AdvertisedPort, TestCluster.Cookie, Wait));
        Assert.Contains("too many client connections", tool.Message);
    }
}
