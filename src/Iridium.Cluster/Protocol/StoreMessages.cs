using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// The replicated store's messages between voters (tags 60-79): DotNext's Raft calls as our own
/// messages (docs/cluster.md, "The replicated store"), and the operations a voter passes to the
/// leader. Each request carries a <see cref="CallId"/> unique among the sender's open calls; the
/// reply carries it back. The numeric results are DotNext's enums (PreVoteResult, HeartbeatResult);
/// the payloads are the store's own log, snapshot and command formats (docs/reference/cluster-protocol.md).
/// </summary>
internal interface IStoreMessage : IClusterMessage
{
    long CallId { get; set; }
}

[MemoryPackable]
internal partial class StoreVote : IStoreMessage
{
    public long CallId { get; set; }
    public long Term { get; set; }
    public long LastLogIndex { get; set; }
    public long LastLogTerm { get; set; }
    public int StateVersion { get; set; }
}

[MemoryPackable]
internal partial class StoreVoteReply : IStoreMessage
{
    public long CallId { get; set; }
    public long Term { get; set; }
    public bool Granted { get; set; }
}

[MemoryPackable]
internal partial class StorePreVote : IStoreMessage
{
    public long CallId { get; set; }
    public long Term { get; set; }
    public long LastLogIndex { get; set; }
    public long LastLogTerm { get; set; }
    public int StateVersion { get; set; }
}

[MemoryPackable]
internal partial class StorePreVoteReply : IStoreMessage
{
    public long CallId { get; set; }
    public long Term { get; set; }
    public byte Result { get; set; }
}

[MemoryPackable]
internal partial class StoreAppendEntries : IStoreMessage
{
    public long CallId { get; set; }
    public long Term { get; set; }
    public long PrevLogIndex { get; set; }
    public long PrevLogTerm { get; set; }
    public long CommitIndex { get; set; }
    public int StateVersion { get; set; }
    public List<StoreLogEntry>? Entries { get; set; }
}

/// <summary>One log entry: its term, DotNext's command id and configuration flag, and its bytes.</summary>
[MemoryPackable]
internal partial class StoreLogEntry
{
    public long Term { get; set; }
    public int? CommandId { get; set; }
    public bool IsConfiguration { get; set; }
    public byte[]? Payload { get; set; }
}

[MemoryPackable]
internal partial class StoreAppendEntriesReply : IStoreMessage
{
    public long CallId { get; set; }
    public long Term { get; set; }
    public byte Result { get; set; }
    public long LastIndex { get; set; }
}

/// <summary>
/// A snapshot, or one part of it: a snapshot larger than a frame travels as parts under one call id,
/// each with the same header, <see cref="Snapshot"/> holding bytes <see cref="Offset"/> onwards of
/// the <see cref="Total"/>; the part that ends at <see cref="Total"/> completes it and alone is
/// answered. <see cref="Total"/> 0 (a sender of the first form) means <see cref="Snapshot"/> is whole.
/// </summary>
[MemoryPackable]
internal partial class StoreInstallSnapshot : IStoreMessage
{
    public long CallId { get; set; }
    public long Term { get; set; }
    public long SnapshotIndex { get; set; }
    public long SnapshotTerm { get; set; }
    public int StateVersion { get; set; }
    public byte[]? Snapshot { get; set; }
    public byte[]? Configuration { get; set; }
    public long ConfigurationVersion { get; set; }
    public long Offset { get; set; }
    public long Total { get; set; }
}

[MemoryPackable]
internal partial class StoreInstallSnapshotReply : IStoreMessage
{
    public long CallId { get; set; }
    public long Term { get; set; }
    public byte Result { get; set; }
}

[MemoryPackable]
internal partial class StoreResign : IStoreMessage
{
    public long CallId { get; set; }
}

[MemoryPackable]
internal partial class StoreResignReply : IStoreMessage
{
    public long CallId { get; set; }
    public bool Resigned { get; set; }
}

[MemoryPackable]
internal partial class StoreSynchronize : IStoreMessage
{
    public long CallId { get; set; }
    public long CommitIndex { get; set; }
}

[MemoryPackable]
internal partial class StoreSynchronizeReply : IStoreMessage
{
    public long CallId { get; set; }
    public long? CommitIndex { get; set; }
}

/// <summary>A write passed to the leader: the store's encoded command.</summary>
[MemoryPackable]
internal partial class StoreWrite : IStoreMessage
{
    public long CallId { get; set; }
    public byte[]? Command { get; set; }
}

/// <summary>Outcome 1 done, 2 not found, 3 mismatch, 4 malformed; Refusal 0 none, 1 not the leader (nothing done), 2 unknown outcome.</summary>
[MemoryPackable]
internal partial class StoreWriteReply : IStoreMessage
{
    public long CallId { get; set; }
    public byte Outcome { get; set; }
    public long Revision { get; set; }
    public byte Refusal { get; set; }
}

[MemoryPackable]
internal partial class StoreRead : IStoreMessage
{
    public long CallId { get; set; }
    public byte[]? Key { get; set; }
}

[MemoryPackable]
internal partial class StoreReadReply : IStoreMessage
{
    public long CallId { get; set; }
    public bool Found { get; set; }
    public byte[]? Value { get; set; }
    public long Revision { get; set; }
    public byte Refusal { get; set; }
}
