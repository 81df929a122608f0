using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Groups that span members (tags 56-59, docs/reference/cluster-protocol.md, Groups). A process
/// SPAWNed on another member belongs to its parent's group: on that member it starts a part of
/// the group, which counts as one member of the group here until it has ended. A part is named by
/// the serial of its first process on the member that runs it; the member is always the
/// connection's peer, as for <see cref="IProcessMessage"/>.
/// </summary>
internal interface IGroupMessage : IClusterMessage
{
}

/// <summary>
/// Every process of the part the receiver's process <see cref="Parent"/> started on the sender has
/// ended (<see cref="Part"/>: the serial of its first process on the sender).
/// </summary>
[MemoryPackable]
internal partial class GroupPartEnded : IGroupMessage
{
    public long Parent { get; set; }
    public long Part { get; set; }
}

/// <summary>
/// Stop the whole group: sent to the member that runs <see cref="Part"/> (from the group's side,
/// <see cref="FromPart"/> false), or by it to the member whose group it is a part of (true).
/// A group stops once; a stop of a group already stopping is ignored, so it crosses each link at
/// most twice.
/// </summary>
[MemoryPackable]
internal partial class GroupStop : IGroupMessage
{
    public long Part { get; set; }
    public bool FromPart { get; set; }
}
