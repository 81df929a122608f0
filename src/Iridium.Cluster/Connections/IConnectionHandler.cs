using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>
/// Receives what a running <see cref="ClusterConnection"/> reads. Each connection is started with
/// the handler for what it is (a peer's link, a client's requests), so no handler has to find out
/// who sent a message. Called on the read loop: keep it short, never block.
/// </summary>
internal interface IConnectionHandler
{
    void OnMessage(ClusterConnection connection, IClusterMessage message);

    /// <summary>Called once, after the connection is closed for good.</summary>
    void OnClosed(ClusterConnection connection, ConnectionClose close);
}
