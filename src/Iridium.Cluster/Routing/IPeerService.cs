using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Routing;

/// <summary>
/// A service that owns a <see cref="TagRange"/> of the messages members send each other
/// (<see cref="PeerRouter.Register"/>). It is handed only messages of its range, only from an
/// authenticated member, only while that member's connection is its current one, in the order the
/// member sent them. Called on that member's read loop: keep it short and never block (queue work
/// elsewhere). A message that is out of place for the service is a protocol error: close the
/// connection (<see cref="ClusterConnection.Close"/>); anything it merely has no use for, it drops.
/// A service that wants to hear that a member was lost subscribes to
/// <see cref="Membership.PeerManager.PeerLost"/>.
/// </summary>
internal interface IPeerService
{
    /// <param name="peer">The member's node id.</param>
    /// <param name="connection">Its connection: for answers (<see cref="ClusterConnection.TrySend"/>) and for closing it on a protocol error.</param>
    /// <param name="message">A message whose tag is in the range the service registered.</param>
    void OnPeerMessage(Guid peer, ClusterConnection connection, IClusterMessage message);
}
