using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;

namespace Iridium.Cluster.Connections;

/// <summary>
/// What members send each other from the client-queries range (<see cref="TagRange.ClientQueries"/>):
/// a Ping is answered with a Pong, a load report (<see cref="Data"/>) goes to exec, and other Data
/// and Pongs to whoever listens (<see cref="Received"/>). The members queries are for clients only:
/// from a member they are a protocol error.
/// </summary>
internal sealed class MemberQueries(Exec.ExecService exec) : IPeerService
{
    /// <summary>Data that is not a load report, and Pongs, from a member, on its read loop: keep handlers short.</summary>
    public event Action<Guid, IClusterMessage>? Received;

    public void OnPeerMessage(Guid peer, ClusterConnection connection, IClusterMessage message)
    {
        switch (message)
        {
            case Ping ping:
                connection.TrySend(new Pong { Sequence = ping.Sequence, Timestamp = ping.Timestamp });
                break;
            case Data data when exec.OnPeerData(peer, data.Body):
                break;
            case Data or Pong:
                Received?.Invoke(peer, message);
                break;
            default:
                connection.Close(CloseReason.ProtocolError, $"protocol error: unexpected {message.GetType().Name} from a member");
                break;
        }
    }
}
