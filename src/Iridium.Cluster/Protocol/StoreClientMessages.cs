using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>What a <see cref="KvRequest"/> asks; the byte is part of the protocol.</summary>
public enum KvOperation : byte
{
    Get = 1,
    Put = 2,
    Delete = 3,
    CompareAndSet = 4,
    List = 5,
}

/// <summary>How a <see cref="KvRequest"/> ended; the byte is part of the protocol.</summary>
public enum KvStatus : byte
{
    /// <summary>Found (get), stored (put), deleted (delete), swapped (compare-and-set), listed (list).</summary>
    Done = 1,
    /// <summary>A get or delete of a key that does not exist.</summary>
    NotFound = 2,
    /// <summary>A compare-and-set whose key did not hold the expected value (nothing changed).</summary>
    Mismatch = 3,
    /// <summary>No leader or majority within the store timeout; for a write, it may or may not have happened. <see cref="KvReply.Message"/> says why.</summary>
    Unavailable = 4,
    /// <summary>The request itself is wrong (a key or value over the limits, an unknown operation); nothing was done.</summary>
    Invalid = 5,
    /// <summary>The node has too many store calls open; nothing was done, try again.</summary>
    Busy = 6,
    /// <summary>The node has no store (it was not started with --store-voters).</summary>
    NoStore = 7,
}

/// <summary>
/// One key-value operation (tags 76-79, the store's client calls): from `iridium kv` and other
/// clients to the node they contacted, and from a node that is not a voter to a voter, which runs
/// it. <see cref="CallId"/> is the sender's, echoed in the <see cref="KvReply"/>.
/// <see cref="ExpectAbsent"/> makes a compare-and-set require that the key not exist
/// (<see cref="Expected"/> is then ignored); <see cref="Stale"/> lets a get answer from the
/// receiving voter's copy; a list takes keys starting with <see cref="Key"/> (empty: every key),
/// at most <see cref="Limit"/> of them.
/// </summary>
[MemoryPackable]
internal partial class KvRequest : IStoreMessage
{
    public long CallId { get; set; }
    public KvOperation Operation { get; set; }
    public byte[]? Key { get; set; }
    public byte[]? Value { get; set; }
    public byte[]? Expected { get; set; }
    public bool ExpectAbsent { get; set; }
    public bool Stale { get; set; }
    public int Limit { get; set; }
}

/// <summary>
/// The answer to a <see cref="KvRequest"/>: the value and revision of a get, the revision a write
/// was applied at, the entries of a list (<see cref="Truncated"/> when more keys matched than the
/// limit or the reply's byte budget let through), and for a failure why.
/// </summary>
[MemoryPackable]
internal partial class KvReply : IStoreMessage
{
    public long CallId { get; set; }
    public KvStatus Status { get; set; }
    public byte[]? Value { get; set; }
    public long Revision { get; set; }
    [MemoryPackIgnore]
    public string? Message { get => _message.Value; set => _message = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _message;
    public List<KvEntry>? Entries { get; set; }
    public bool Truncated { get; set; }
}

/// <summary>One key of a list, its value and revision.</summary>
[MemoryPackable]
internal partial class KvEntry
{
    public byte[]? Key { get; set; }
    public byte[]? Value { get; set; }
    public long Revision { get; set; }
}

/// <summary>`iridium store status`: what a voter (the contacted node, or one it asks) knows of the store.</summary>
[MemoryPackable]
internal partial class StoreStatusQuery : IStoreMessage
{
    public long CallId { get; set; }
}

/// <summary>
/// One voter's view of the store (<see cref="Voter"/> names it): the leader it follows (null
/// while none), the term, its commit, last and applied log indexes, its keys and their bytes, the
/// bytes of its log and snapshots on disk, and each voter with its state. <see cref="Status"/> is
/// <see cref="KvStatus.Done"/>, else <see cref="Message"/> says why there is no view.
/// </summary>
[MemoryPackable]
internal partial class StoreStatusReply : IStoreMessage
{
    public long CallId { get; set; }
    public KvStatus Status { get; set; }
    [MemoryPackIgnore]
    public string? Message { get => _message.Value; set => _message = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _message;
    [MemoryPackIgnore]
    public string? Voter { get => _voter.Value; set => _voter = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _voter;
    [MemoryPackIgnore]
    public string? Leader { get => _leader.Value; set => _leader = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _leader;
    public long Term { get; set; }
    public long CommitIndex { get; set; }
    public long LastLogIndex { get; set; }
    public long AppliedIndex { get; set; }
    public long Keys { get; set; }
    public long DataBytes { get; set; }
    public long LogBytes { get; set; }
    public long SnapshotBytes { get; set; }
    public List<StoreVoterRecord>? Voters { get; set; }
}

/// <summary>A voter as another voter sees it: its alias, DotNext's word for its state, and whether it leads.</summary>
[MemoryPackable]
internal partial class StoreVoterRecord
{
    [MemoryPackIgnore]
    public string? Name { get => _name.Value; set => _name = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _name;
    [MemoryPackIgnore]
    public string? State { get => _state.Value; set => _state = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _state;
    public bool IsLeader { get; set; }
}
