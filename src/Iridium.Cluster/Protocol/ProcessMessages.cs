using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Processes on one member talking to processes on another (tags 40-49,
/// docs/reference/cluster-protocol.md, Processes). A process is named by its serial on its node;
/// the node is always the sender's or the receiver's, known from the connection, so no message
/// can name a process of a third node, and none carries a handle number.
/// </summary>
internal interface IProcessMessage : IClusterMessage
{
}

/// <summary>Start a process on the receiving member (SPAWN with R[c] naming it).</summary>
[MemoryPackable]
internal partial class RemoteSpawn : IProcessMessage
{
    /// <summary>The sender's id for this request, echoed in the reply.</summary>
    public long RequestId { get; set; }
    /// <summary>The spawning process: the child's handle 1.</summary>
    public long Parent { get; set; }
    /// <summary>SHA-256 of <see cref="Image"/>: the receiver keeps images by it.</summary>
    public byte[]? ImageHash { get; set; }
    /// <summary>The program; null when the sender expects the receiver to have it already.</summary>
    public byte[]? Image { get; set; }
    /// <summary>The image is code alone, without a header (a REPL's program).</summary>
    public bool Headerless { get; set; }
    /// <summary>The code address the child starts at.</summary>
    public int Pc { get; set; }
    /// <summary>The child's R0.</summary>
    public int R0 { get; set; }
    /// <summary>The id of the parent's group (ALIAS.N of its root), what `ps` shows as the child's group; appended, so absent from older senders.</summary>
    [MemoryPackIgnore]
    public string? Group { get => _group.Value; set => _group = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _group;
}

/// <summary>How a <see cref="RemoteSpawn"/> ended.</summary>
internal enum SpawnOutcome : byte
{
    /// <summary>Running; <see cref="RemoteSpawnReply.Child"/> is its serial.</summary>
    Started = 1,
    /// <summary>A limit, an invalid image, a node shutting down.</summary>
    Refused = 2,
    /// <summary>Only the hash came and the receiver does not have that image: send it again with the image.</summary>
    ImageWanted = 3,
}

[MemoryPackable]
internal partial class RemoteSpawnReply : IProcessMessage
{
    public long RequestId { get; set; }
    public SpawnOutcome Outcome { get; set; }
    public long Child { get; set; }
}

/// <summary>One message from a process of the sender to a process of the receiver.</summary>
[MemoryPackable]
internal partial class RemoteSend : IProcessMessage
{
    public long From { get; set; }
    public long To { get; set; }
    public byte[]? Payload { get; set; }
}

/// <summary>Process <see cref="Watcher"/> of the sender wants one down notice when <see cref="Target"/> of the receiver ends.</summary>
[MemoryPackable]
internal partial class RemoteMonitor : IProcessMessage
{
    public long Watcher { get; set; }
    public long Target { get; set; }
}

/// <summary>The down notice of a <see cref="RemoteMonitor"/>: <see cref="Target"/> of the sender ended, for <see cref="Watcher"/> of the receiver.</summary>
[MemoryPackable]
internal partial class RemoteDown : IProcessMessage
{
    public long Watcher { get; set; }
    public long Target { get; set; }
    /// <summary>The reason as RECV reports it (0 halted ... 5 no such process).</summary>
    public byte Reason { get; set; }
}

/// <summary>WHERE NAME@ALIAS: which process of the receiver has this name?</summary>
[MemoryPackable]
internal partial class RemoteWhere : IProcessMessage
{
    public long RequestId { get; set; }
    [MemoryPackIgnore]
    public string? Name { get => _name.Value; set => _name = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _name;
}

[MemoryPackable]
internal partial class RemoteWhereReply : IProcessMessage
{
    public long RequestId { get; set; }
    public bool Found { get; set; }
    public long Serial { get; set; }
}

/// <summary>
/// Whole lines a process the receiver spawned on the sender printed: they go to the group of
/// <see cref="To"/>, the spawning process (a group's output goes to one place, wherever its members run).
/// </summary>
[MemoryPackable]
internal partial class RemoteOutput : IProcessMessage
{
    public long To { get; set; }
    public byte[]? Bytes { get; set; }
}
