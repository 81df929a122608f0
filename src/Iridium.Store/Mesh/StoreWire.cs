using Iridium.Cluster.Protocol;
using Iridium.Store.Raft;
using Iridium.Store.Service;

namespace Iridium.Store.Mesh;

/// <summary>The store's requests and replies to and from their cluster messages (tags 60-79), one mapping each way.</summary>
internal static class StoreWire
{
    public static IStoreMessage ToWire(IRaftRequest request, long callId) => request switch
    {
        VoteRequest r => new StoreVote { CallId = callId, Term = r.Term, LastLogIndex = r.LastLogIndex, LastLogTerm = r.LastLogTerm, StateVersion = r.StateVersion },
        PreVoteRequest r => new StorePreVote { CallId = callId, Term = r.Term, LastLogIndex = r.LastLogIndex, LastLogTerm = r.LastLogTerm, StateVersion = r.StateVersion },
        AppendEntriesRequest r => new StoreAppendEntries
        {
            CallId = callId,
            Term = r.Term,
            PrevLogIndex = r.PrevLogIndex,
            PrevLogTerm = r.PrevLogTerm,
            CommitIndex = r.CommitIndex,
            StateVersion = r.StateVersion,
            Entries = r.Entries.Select(e => new StoreLogEntry { Term = e.Term, CommandId = e.CommandId, IsConfiguration = e.IsConfiguration, Payload = e.Payload }).ToList(),
        },
        InstallSnapshotRequest r => new StoreInstallSnapshot
        {
            CallId = callId,
            Term = r.Term,
            SnapshotIndex = r.SnapshotIndex,
            SnapshotTerm = r.SnapshotTerm,
            StateVersion = r.StateVersion,
            Snapshot = r.Snapshot,
            Configuration = r.Configuration,
            ConfigurationVersion = r.ConfigurationVersion,
        },
        ResignRequest => new StoreResign { CallId = callId },
        SynchronizeRequest r => new StoreSynchronize { CallId = callId, CommitIndex = r.CommitIndex },
        StoreWriteRequest r => new StoreWrite { CallId = callId, Command = r.Command },
        StoreReadRequest r => new Cluster.Protocol.StoreRead { CallId = callId, Key = r.Key },
        ForwardedKv r => WithCallId(r.Request, callId),
        ForwardedStatus r => WithCallId(r.Query, callId),
        _ => throw new ArgumentException($"not a store request: {request.GetType().Name}"),
    };

    public static IStoreMessage ToWire(IRaftReply reply, long callId) => reply switch
    {
        VoteReply r => new StoreVoteReply { CallId = callId, Term = r.Term, Granted = r.Granted },
        PreVoteReply r => new StorePreVoteReply { CallId = callId, Term = r.Term, Result = r.Result },
        AppendEntriesReply r => new StoreAppendEntriesReply { CallId = callId, Term = r.Term, Result = r.Result, LastIndex = r.LastIndex },
        InstallSnapshotReply r => new StoreInstallSnapshotReply { CallId = callId, Term = r.Term, Result = r.Result },
        ResignReply r => new StoreResignReply { CallId = callId, Resigned = r.Resigned },
        SynchronizeReply r => new StoreSynchronizeReply { CallId = callId, CommitIndex = r.CommitIndex },
        Raft.StoreWriteReply r => new Cluster.Protocol.StoreWriteReply { CallId = callId, Outcome = r.Outcome, Revision = r.Revision, Refusal = (byte)r.Refusal },
        Raft.StoreReadReply r => new Cluster.Protocol.StoreReadReply { CallId = callId, Found = r.Found, Value = r.Value, Revision = r.Revision, Refusal = (byte)r.Refusal },
        ForwardedKvReply r => WithCallId(r.Reply, callId),
        ForwardedStatusReply r => WithCallId(r.Reply, callId),
        _ => throw new ArgumentException($"not a store reply: {reply.GetType().Name}"),
    };

    /// <summary>A request from the wire, or null when the message is a reply. Missing arrays read as empty.</summary>
    public static IRaftRequest? RequestFrom(IStoreMessage message) => message switch
    {
        StoreVote m => new VoteRequest(m.Term, m.LastLogIndex, m.LastLogTerm, m.StateVersion),
        StorePreVote m => new PreVoteRequest(m.Term, m.LastLogIndex, m.LastLogTerm, m.StateVersion),
        StoreAppendEntries m => new AppendEntriesRequest(m.Term, m.PrevLogIndex, m.PrevLogTerm, m.CommitIndex, m.StateVersion,
            (m.Entries ?? []).Select(e => new RaftEntry(e.Term, e.CommandId, e.IsConfiguration, e.Payload ?? [])).ToList()),
        StoreInstallSnapshot m => new InstallSnapshotRequest(m.Term, m.SnapshotIndex, m.SnapshotTerm, m.StateVersion,
            m.Snapshot ?? [], m.Configuration ?? [], m.ConfigurationVersion),
        StoreResign => new ResignRequest(),
        StoreSynchronize m => new SynchronizeRequest(m.CommitIndex),
        StoreWrite m => new StoreWriteRequest(m.Command ?? []),
        Cluster.Protocol.StoreRead m => new StoreReadRequest(m.Key ?? []),
        KvRequest m => new ForwardedKv(m),
        StoreStatusQuery m => new ForwardedStatus(m),
        _ => null,
    };

    public static IRaftReply? ReplyFrom(IStoreMessage message) => message switch
    {
        StoreVoteReply m => new VoteReply(m.Term, m.Granted),
        StorePreVoteReply m => new PreVoteReply(m.Term, m.Result),
        StoreAppendEntriesReply m => new AppendEntriesReply(m.Term, m.Result, m.LastIndex),
        StoreInstallSnapshotReply m => new InstallSnapshotReply(m.Term, m.Result),
        StoreResignReply m => new ResignReply(m.Resigned),
        StoreSynchronizeReply m => new SynchronizeReply(m.CommitIndex),
        Cluster.Protocol.StoreWriteReply m => new Raft.StoreWriteReply(m.Outcome, m.Revision, (StoreRefusal)m.Refusal),
        Cluster.Protocol.StoreReadReply m => new Raft.StoreReadReply(m.Found, m.Value, m.Revision, (StoreRefusal)m.Refusal),
        KvReply m => new ForwardedKvReply(m),
        StoreStatusReply m => new ForwardedStatusReply(m),
        _ => null,
    };

    /// <summary>A forwarded call's message is built for that one call (its owner's): it travels as it is, under the transport's call id.</summary>
    private static T WithCallId<T>(T message, long callId)
        where T : IStoreMessage
    {
        message.CallId = callId;
        return message;
    }

}
