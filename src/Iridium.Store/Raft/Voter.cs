using System.Net;
using DotNext.Collections.Specialized;
using DotNext.IO;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;

namespace Iridium.Store.Raft;

/// <summary>
/// One voter as seen from this node: DotNext's Raft calls to it become <see cref="IRaftRequest"/>s on
/// the <see cref="IStoreTransport"/>. The local node is a voter too (<see cref="IsRemote"/> false),
/// whose calls DotNext answers itself. A request that gets no reply within
/// <see cref="RequestTimeout"/> makes the voter unavailable for that call, as a lost TCP connection
/// does in DotNext's own transports.
/// </summary>
internal sealed class Voter : IRaftClusterMember, IDisposable
{
    private readonly StoreCluster cluster;
    private readonly IStoreTransport transport;
    private CancellationTokenSource pending = new();
    private volatile ClusterMemberStatus status;
    private InvocationList<Action<ClusterMemberStatusChangedEventArgs<Voter>>> statusChanged;
    private IRaftClusterMember.ReplicationState replication;

    public Voter(StoreCluster cluster, IStoreTransport transport, VoterAddress address, bool isRemote, TimeSpan requestTimeout)
    {
        this.cluster = cluster;
        this.transport = transport;
        Address = address;
        Id = address.Id;
        IsRemote = isRemote;
        RequestTimeout = requestTimeout;
    }

    public VoterAddress Address { get; }
    public ClusterMemberId Id { get; }
    public EndPoint EndPoint => Address;
    public bool IsRemote { get; }
    public bool IsLeader => ReferenceEquals(cluster.Leader, this);
    public TimeSpan RequestTimeout { get; }

    public ClusterMemberStatus Status
    {
        get => IsRemote ? status : ClusterMemberStatus.Available;
        // DotNext's helper takes the field by reference; it writes it once, as DotNext's own members do.
#pragma warning disable CS0420
        private set => IClusterMember.OnMemberStatusChanged(this, ref status, value, statusChanged);
#pragma warning restore CS0420
    }

    event Action<ClusterMemberStatusChangedEventArgs> IClusterMember.MemberStatusChanged
    {
        add => statusChanged += value;
        remove => statusChanged -= value;
    }

    ref IRaftClusterMember.ReplicationState IRaftClusterMember.State => ref replication;

    public ValueTask<IReadOnlyDictionary<string, string>> GetMetadataAsync(bool refresh, CancellationToken token) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    public async Task<Result<bool>> VoteAsync(long term, long lastLogIndex, long lastLogTerm, CancellationToken token)
    {
        if (!IsRemote) return new() { Term = term, Value = true };
        var reply = await SendAsync<VoteReply>(
            new VoteRequest(term, lastLogIndex, lastLogTerm, cluster.StateVersion), token).ConfigureAwait(false);
        return new() { Term = reply.Term, Value = reply.Granted };
    }

    public async Task<Result<PreVoteResult>> PreVoteAsync(long term, long lastLogIndex, long lastLogTerm, CancellationToken token)
    {
        if (!IsRemote) return new() { Term = term, Value = PreVoteResult.Accepted };
        var reply = await SendAsync<PreVoteReply>(
            new PreVoteRequest(term, lastLogIndex, lastLogTerm, cluster.StateVersion), token).ConfigureAwait(false);
        return new() { Term = reply.Term, Value = (PreVoteResult)reply.Result };
    }

    public async Task<Result<ReplicationStatus>> AppendEntriesAsync<TEntry, TList>(
        long term, TList entries, long prevLogIndex, long prevLogTerm, long commitIndex, CancellationToken token)
        where TEntry : IRaftLogEntry
        where TList : IReadOnlyList<TEntry>
    {
        if (!IsRemote)
        {
            return new()
            {
                Term = term,
                Value = new() { LastIndex = prevLogIndex + entries.Count, Result = HeartbeatResult.ReplicatedWithLeaderTerm },
            };
        }
        var wire = new RaftEntry[entries.Count];
        for (var i = 0; i < wire.Length; i++)
        {
            var entry = entries[i];
            var payload = await entry.ToByteArrayAsync(null, token).ConfigureAwait(false);
            wire[i] = new RaftEntry(entry.Term, entry.CommandId, entry.IsConfiguration, payload);
        }
        var reply = await SendAsync<AppendEntriesReply>(
            new AppendEntriesRequest(term, prevLogIndex, prevLogTerm, commitIndex, cluster.StateVersion, wire), token)
            .ConfigureAwait(false);
        return new() { Term = reply.Term, Value = new() { Result = (HeartbeatResult)reply.Result, LastIndex = reply.LastIndex } };
    }

    public async Task<Result<HeartbeatResult>> InstallSnapshotAsync(
        long term, IRaftLogEntry snapshot, long snapshotIndex, IDataTransferObject configuration, long configurationVersion,
        CancellationToken token)
    {
        if (!IsRemote) return new() { Term = term, Value = HeartbeatResult.ReplicatedWithLeaderTerm };
        var bytes = await snapshot.ToByteArrayAsync(null, token).ConfigureAwait(false);
        var members = await configuration.ToByteArrayAsync(null, token).ConfigureAwait(false);
        // A large snapshot travels in many parts: a request timeout for each MiB, on top of the call's own.
        var timeout = RequestTimeout * (1 + (bytes.Length >> 20));
        var reply = await SendAsync<InstallSnapshotReply>(
            new InstallSnapshotRequest(term, snapshotIndex, snapshot.Term, cluster.StateVersion, bytes, members, configurationVersion),
            token, timeout).ConfigureAwait(false);
        return new() { Term = reply.Term, Value = (HeartbeatResult)reply.Result };
    }

    public async Task<bool> ResignAsync(CancellationToken token)
    {
        if (!IsRemote) return await cluster.ResignLocallyAsync(token).ConfigureAwait(false);
        return (await SendAsync<ResignReply>(new ResignRequest(), token).ConfigureAwait(false)).Resigned;
    }

    public async Task<long?> SynchronizeAsync(long commitIndex, CancellationToken token)
    {
        if (!IsRemote) return null;
        return (await SendAsync<SynchronizeReply>(new SynchronizeRequest(commitIndex), token).ConfigureAwait(false)).CommitIndex;
    }

    public async ValueTask CancelPendingRequestsAsync()
    {
        var cancelled = Interlocked.Exchange(ref pending, new CancellationTokenSource());
        await cancelled.CancelAsync().ConfigureAwait(false);
        cancelled.Dispose();
    }

    private async Task<TReply> SendAsync<TReply>(IRaftRequest request, CancellationToken token, TimeSpan? timeout = null)
        where TReply : class, IRaftReply
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token, pending.Token);
        deadline.CancelAfter(timeout ?? RequestTimeout);
        try
        {
            var reply = await transport.RequestAsync(Address.Name, request, deadline.Token).ConfigureAwait(false);
            Status = ClusterMemberStatus.Available;
            return reply as TReply
                ?? throw new MemberUnavailableException(this, $"voter {Address.Name} answered a {request.GetType().Name} with a {reply.GetType().Name}");
        }
        catch (VoterUnreachableException e)
        {
            Status = ClusterMemberStatus.Unavailable;
            throw new MemberUnavailableException(this, e.Message, e);
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            Status = ClusterMemberStatus.Unavailable;
            throw new MemberUnavailableException(this, $"voter {Address.Name} did not answer in time", e);
        }
    }

    public void Dispose() => pending.Dispose();

    public override string ToString() => Address.Name;
}
