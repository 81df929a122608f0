using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>
/// A service built outside this assembly (the replicated store's client calls) that answers a
/// range of the messages authenticated tools send (<see cref="ClusterNode.AddClientService"/>).
/// Its calls run off the connection's read loop; it bounds them itself.
/// </summary>
internal interface IClientService
{
    /// <summary>A message of the service's range from <paramref name="client"/>, on its read loop: keep it short.</summary>
    void OnClientMessage(ClusterConnection client, IClusterMessage message);

    /// <summary>The client went away: what it asked is abandoned.</summary>
    void OnClientClosed(ClusterConnection client);

    /// <summary>True while the client waits for an answer here (its connection is not idle).</summary>
    bool Serves(ClusterConnection client);
}
