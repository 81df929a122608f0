namespace Iridium.Cluster.Membership;

/// <summary>The connection state of a <see cref="PeerEntry"/>; the transitions are in docs/cluster.md.</summary>
internal enum PeerState : byte
{
    /// <summary>A dial to it is in flight and it has no connection.</summary>
    Dialing,
    /// <summary>Its one authenticated connection is the entry's <see cref="PeerEntry.Connection"/>.</summary>
    Up,
    /// <summary>Its connection lost a simultaneous-dial race and closed; the winning one has not been recorded yet.</summary>
    Switching,
    /// <summary>No connection and no dial; the next dial waits for <see cref="PeerEntry.RetryAtMs"/>.</summary>
    Disconnected,
}

/// <summary>When and why a member that was up went down (this node's view).</summary>
internal sealed record DownRecord(long SinceMs, DownReason Reason);

/// <summary>A dial in flight to a known node: the entry it is for, and where it goes. Compared by reference, so a late result can be told from a current one.</summary>
internal sealed class DialTicket(PeerEntry entry, string host, int port)
{
    public PeerEntry Entry { get; } = entry;
    public Guid NodeId => Entry.NodeId;
    public string Host { get; } = host;
    public int Port { get; } = port;
}
