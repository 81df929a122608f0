using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Support;

/// <summary>A hand-driven member: it handshakes with a node like a real one, then does only what the test says.</summary>
internal static class RawPeer
{
    public static async Task<(ClusterConnection Connection, DialOutcome Outcome)> ConnectAsync(ClusterNode node, string alias, Guid? nodeId = null)
    {
        var transport = await SocketTransport.ConnectAsync("127.0.0.1", node.AdvertisedPort, TimeSpan.FromSeconds(5), CancellationToken.None);
        var connection = new ClusterConnection(transport, true, 1 << 20);
        var self = new LocalIdentity(nodeId ?? Guid.NewGuid(), alias, "127.0.0.1", Ports.Free());
        var outcome = await Handshake.DialAsync(connection, self, TestCluster.Cookie, false, ConnectionRole.Node, CancellationToken.None);
        return (connection, outcome);
    }
}

internal static class Ports
{
    /// <summary>A port nothing listens on right now.</summary>
    public static int Free()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }
}
