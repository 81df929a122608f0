using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Membership;

/// <summary>
/// A live member other than this node: where to reach it, the one connection to it, and when it
/// was last heard from. <see cref="Connection"/> is null for a moment after the connection lost
/// a simultaneous-dial race and before the winner arrives; the failure detector covers that gap.
/// </summary>
internal sealed class Peer
{
    private long _lastSeenTicks;

    public Peer(PeerIdentity identity, ClusterConnection connection, long nowTicks)
    {
        Identity = identity;
        Connection = connection;
        _lastSeenTicks = nowTicks;
    }

    public PeerIdentity Identity { get; }

    public Guid NodeId => Identity.NodeId;

    public string Alias => Identity.Alias;

    /// <summary>Written under the node's lock, read without it on the hot path.</summary>
    public volatile ClusterConnection? Connection;

    /// <summary>Environment.TickCount64 of the last frame received from the peer.</summary>
    public long LastSeenTicks => Volatile.Read(ref _lastSeenTicks);

    /// <summary>When this node last sent the peer its member list (anti-entropy rate limit).</summary>
    public long LastSyncSentTicks { get; set; }

    public void Touch(long nowTicks) => Volatile.Write(ref _lastSeenTicks, nowTicks);

    public MemberRecord ToRecord() => new() { NodeId = NodeId, Alias = Alias, Host = Identity.Host, Port = Identity.Port };
}
