namespace Iridium.Store.Raft;

/// <summary>
/// The Raft calls between voters as our own messages (docs/reference/cluster-protocol.md, tags
/// 60-79): each request has one reply. DotNext's own TCP/UDP/HTTP transports are not used: these
/// travel over the authenticated mesh (docs/cluster.md, "The replicated store").
/// <see cref="StateVersion"/> is the sender's log format version (DotNext's IPersistentState.Version).
/// </summary>
public interface IRaftRequest
{
}

public interface IRaftReply
{
}

public sealed record VoteRequest(long Term, long LastLogIndex, long LastLogTerm, int StateVersion) : IRaftRequest;

public sealed record VoteReply(long Term, bool Granted) : IRaftReply;

public sealed record PreVoteRequest(long Term, long LastLogIndex, long LastLogTerm, int StateVersion) : IRaftRequest;

/// <summary><see cref="Result"/> is DotNext's PreVoteResult.</summary>
public sealed record PreVoteReply(long Term, byte Result) : IRaftReply;

/// <summary>One log entry as it travels: its term, DotNext's command id and configuration flag, its bytes.</summary>
public sealed record RaftEntry(long Term, int? CommandId, bool IsConfiguration, byte[] Payload);

public sealed record AppendEntriesRequest(
    long Term, long PrevLogIndex, long PrevLogTerm, long CommitIndex, int StateVersion, IReadOnlyList<RaftEntry> Entries)
    : IRaftRequest;

/// <summary><see cref="Result"/> is DotNext's HeartbeatResult; <see cref="LastIndex"/> the follower's last log index.</summary>
public sealed record AppendEntriesReply(long Term, byte Result, long LastIndex) : IRaftReply;

/// <summary>A whole snapshot and the membership it was taken with.</summary>
public sealed record InstallSnapshotRequest(
    long Term, long SnapshotIndex, long SnapshotTerm, int StateVersion, byte[] Snapshot,
    byte[] Configuration, long ConfigurationVersion) : IRaftRequest;

public sealed record InstallSnapshotReply(long Term, byte Result) : IRaftReply;

public sealed record ResignRequest : IRaftRequest;

public sealed record ResignReply(bool Resigned) : IRaftReply;

public sealed record SynchronizeRequest(long CommitIndex) : IRaftRequest;

/// <summary>The leader's commit index; null when the receiver is not the leader.</summary>
public sealed record SynchronizeReply(long? CommitIndex) : IRaftReply;
