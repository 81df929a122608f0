using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>
/// The connections of authenticated tools (`iridium members`, `ping`, `exec`, `ps`, `kill`): answered, never
/// members. They have their own cap, apart from the members and from unauthenticated connections,
/// so neither a pile of clients nor a flood of strangers takes what the other needs.
/// </summary>
internal sealed class ClientRequests(int maxClients, Func<string, IReadOnlyList<MemberInfo>> members, Exec.ExecService exec) : IConnectionHandler
{
    private int _count;

    public int MaxClients => maxClients;

    /// <summary>Client connections held now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes a client slot; false when all are taken. Released when the connection closes (or by <see cref="Release"/> if it never starts).</summary>
    public bool TryAdmit()
    {
        if (Interlocked.Increment(ref _count) <= maxClients) return true;
        Interlocked.Decrement(ref _count);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _count);

    public void OnMessage(ClusterConnection connection, IClusterMessage message)
    {
        switch (message)
        {
            case MembersQuery:
                // The client reached us on LocalHost: that is our address when we advertise none.
                var view = members(connection.LocalHost);
                connection.TrySend(MemberViewMapping.ToView(view));
                if (MemberViewMapping.ToDownDetails(view) is { } down) connection.TrySend(down);
                break;
            case Ping ping:
                connection.TrySend(new Pong { Sequence = ping.Sequence, Timestamp = ping.Timestamp });
                break;
            case IExecMessage request:
                exec.OnClientMessage(connection, request);
                break;
            default:
                // Data (the ping tool's payload) and anything else a client may send: read and dropped.
                break;
        }
    }

    public void OnClosed(ClusterConnection connection, ConnectionClose close)
    {
        exec.OnClientClosed(connection);
        Release();
    }
}
