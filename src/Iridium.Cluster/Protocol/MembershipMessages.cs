using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Sent every heartbeat interval on every peer connection. <see cref="Digest"/> summarises the
/// sender's member set; a receiver whose own digest differs answers with a <see cref="MembersUpdate"/>
/// (anti-entropy), which is how concurrent joins converge.
/// </summary>
[MemoryPackable]
internal partial class Heartbeat : IClusterMessage
{
    public long Sequence { get; set; }
    public ulong Digest { get; set; }
    public int MemberCount { get; set; }
}

/// <summary>Members the sender knows (itself included); the receiver connects to any it lacks.</summary>
[MemoryPackable]
internal partial class MembersUpdate : IClusterMessage
{
    public List<MemberRecord>? Members { get; set; }
}

/// <summary>Graceful shutdown: the receiver drops the sender at once.</summary>
[MemoryPackable]
internal partial class Leave : IClusterMessage
{
    [MemoryPackIgnore]
    public string? Reason { get => _reason.Value; set => _reason = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _reason;
}

/// <summary>
/// This connection lost a simultaneous-dial race and is about to close; the other connection
/// between the same two nodes carries on. The receiver detaches it without reporting the node down.
/// </summary>
[MemoryPackable]
internal partial class Superseded : IClusterMessage
{
}
