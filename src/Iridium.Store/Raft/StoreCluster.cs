using System.Diagnostics.CodeAnalysis;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace Iridium.Store.Raft;

/// <summary>
/// DotNext's Raft over our own transport: <see cref="Voter"/> sends the calls, <see cref="HandleAsync"/>
/// feeds the calls that arrive to DotNext's handlers. Durability: a follower answers an
/// AppendEntries only once the entries it took are flushed (<see cref="WriteAheadLog.FlushAsync"/>),
/// and the leader's commit flushes its own log first, so an acknowledged write is on the disks of a
/// majority (DotNext by itself flushes a follower's log in the background, after answering).
/// </summary>
internal sealed class StoreCluster : RaftCluster<Voter>
{
    private readonly WriteAheadLog log;
    private readonly IStoreTransport transport;
    private readonly VoterConfiguration voters;
    private readonly string localName;
    private readonly IReadOnlyList<string> voterNames;
    private readonly TimeSpan requestTimeout;

    [SetsRequiredMembers] // AuditTrail is set here, from the log the node opened.
    public StoreCluster(RaftTiming timing, WriteAheadLog log, IStoreTransport transport, string localName, IReadOnlyList<string> voterNames)
        : base(timing)
    {
        this.log = log;
        this.transport = transport;
        this.localName = localName;
        this.voterNames = voterNames;
        requestTimeout = timing.RequestTimeout;
        voters = new VoterConfiguration(voterNames);
        log.ConfigurationStorage = voters;
        AuditTrail = log;
    }

    public int StateVersion => AuditTrail.Version;

    public long Term => AuditTrail.Term;

    public override async Task StartAsync(CancellationToken token = default)
    {
        var scope = await ChangeConfigurationAsync(token).ConfigureAwait(false);
        try
        {
            foreach (var name in voterNames)
                scope.MarkAsAdded(new Voter(this, transport, new VoterAddress(name), name != localName, requestTimeout));
        }
        finally
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }
        await base.StartAsync(token).ConfigureAwait(false);
        StartFollowing();
    }

    public ValueTask<bool> ResignLocallyAsync(CancellationToken token) => ResignAsync(token);

    /// <summary>Answers a Raft call from the voter named <paramref name="sender"/>.</summary>
    public async Task<IRaftReply> HandleAsync(string sender, IRaftRequest request, CancellationToken token)
    {
        if (RaftCallCheck.Problem(request, voterNames) is { } problem)
            throw new InvalidDataException($"store: voter {sender} sent a malformed {request.GetType().Name}: {problem}");
        var id = VoterAddress.IdOf(sender);
        switch (request)
        {
            case VoteRequest vote:
                var granted = await VoteAsync(id, vote.Term, vote.LastLogIndex, vote.LastLogTerm, vote.StateVersion, token)
                    .ConfigureAwait(false);
                return new VoteReply(granted.Term, granted.Value);
            case PreVoteRequest preVote:
                // As DotNext's own servers do: the candidate sends its term, the handler takes the next one.
                var pre = await PreVoteAsync(id, preVote.Term + 1, preVote.LastLogIndex, preVote.LastLogTerm, preVote.StateVersion, token)
                    .ConfigureAwait(false);
                return new PreVoteReply(pre.Term, (byte)pre.Value);
            case AppendEntriesRequest append:
                var appended = await AppendEntriesAsync(
                    id, append.Term, new ReceivedEntries(append.Entries), append.PrevLogIndex, append.PrevLogTerm,
                    append.CommitIndex, append.StateVersion, token).ConfigureAwait(false);
                if (append.Entries.Count > 0 && appended.Value.Result is HeartbeatResult.Replicated or HeartbeatResult.ReplicatedWithLeaderTerm)
                    await log.FlushAsync(token).ConfigureAwait(false);
                return new AppendEntriesReply(appended.Term, (byte)appended.Value.Result, appended.Value.LastIndex);
            case InstallSnapshotRequest snapshot:
                await InstallConfigurationAsync(
                    snapshot.Term, new ReceivedEntry(snapshot.Term, null, true, false, snapshot.Configuration),
                    snapshot.ConfigurationVersion, token).ConfigureAwait(false);
                var installed = await InstallSnapshotAsync(
                    id, snapshot.Term, new ReceivedEntry(snapshot.SnapshotTerm, null, false, true, snapshot.Snapshot),
                    snapshot.SnapshotIndex, snapshot.StateVersion, token).ConfigureAwait(false);
                return new InstallSnapshotReply(installed.Term, (byte)installed.Value);
            case ResignRequest:
                return new ResignReply(await ResignAsync(token).ConfigureAwait(false));
            case SynchronizeRequest sync:
                return new SynchronizeReply(await SynchronizeAsync(sync.CommitIndex, token).ConfigureAwait(false));
            default:
                throw new InvalidDataException($"store: voter {sender} sent a {request.GetType().Name}, which is not a Raft call");
        }
    }
}

/// <summary>
/// Raft's clock: election timeouts (randomized between the two bounds) and how long a call may take.
/// etcd's defaults (a 1 s election timeout): with 300-600 ms and calls of 300 ms, 64 clients
/// writing on a loaded two-core machine made followers' flushes outlast the call timeout, and the
/// leader stepped down again and again (tools/bench/kv-bench.sh saw no leader for 5 s).
/// </summary>
public sealed class RaftTiming : IClusterMemberConfiguration
{
    public int ElectionTimeoutMinMs { get; init; } = 1000;
    public int ElectionTimeoutMaxMs { get; init; } = 2000;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(1000);

    public double HeartbeatThreshold => 0.3;
    public ElectionTimeout ElectionTimeout => new() { LowerValue = ElectionTimeoutMinMs, UpperValue = ElectionTimeoutMaxMs };
    public bool Standby => false;
    public bool IsLeaderLeaseEnabled => false;
    public bool AggressiveLeaderStickiness => true;
}
