namespace Iridium.Cluster.Membership;

/// <summary>
/// How much a node's heartbeat interval and failure timeout are stretched for the size of its
/// cluster: by one step per <see cref="MembersPerStep"/> members (1 up to 64 members, 2 up to 128,
/// 4 at 256). In a full mesh each node sends and receives a heartbeat per peer and interval, so
/// the heartbeats' cost per node grows with N and the cluster's with N²: on a host running
/// hundreds of nodes (or a large cluster's hosts) an idle mesh asked for more CPU than there was,
/// every heartbeat came late, peers were marked down, and the redials were more load
/// (docs/scale.md). Stretched, a node's heartbeat frames stay at about 2 × 64 per interval whatever N, and
/// failure detection takes longer in proportion. The sender stretches by the members it counts,
/// which its heartbeat carries; the receiver by the larger of that and its own count, so a
/// stretched sender is never taken for a silent one.
/// </summary>
internal static class HeartbeatStretch
{
    public const int MembersPerStep = 64;

    /// <summary>The factor for a node that counts <paramref name="members"/> members (itself included).</summary>
    public static int For(int members) => Math.Max(1, (members + MembersPerStep - 1) / MembersPerStep);
}
