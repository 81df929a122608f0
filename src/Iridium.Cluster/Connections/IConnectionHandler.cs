using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>Receives what a running <see cref="ClusterConnection"/> reads. Called on the read loop: keep it short, never block.</summary>
internal interface IConnectionHandler
{
    void OnMessage(ClusterConnection connection, IClusterMessage message);

    /// <summary>Called once, after the connection is closed for good.</summary>
    void OnClosed(ClusterConnection connection, string reason);
}
