using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>The handler of a connection on its way out (a duplicate being closed gracefully): what it reads is dropped.</summary>
internal sealed class DrainingHandler : IConnectionHandler
{
    public static readonly DrainingHandler Instance = new();

    public void OnMessage(ClusterConnection connection, IClusterMessage message)
    {
    }

    public void OnClosed(ClusterConnection connection, ConnectionClose close)
    {
    }
}
