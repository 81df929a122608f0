using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Iridium.Store.Model;
using Iridium.Store.Raft;

namespace Iridium.Store;

/// <summary>
/// One voter of the replicated store: its Raft member, its log on disk and its copy of the keys. Any
/// voter takes any operation: the leader runs it, a follower passes it to the leader it knows
/// (<see cref="StoreWriteRequest"/>, <see cref="StoreReadRequest"/>). Reads are linearizable: the
/// leader confirms with a majority that it still leads and has applied everything it committed
/// before it reads (DotNext's strong read barrier). Writes return once applied, which is after a
/// majority flushed them (<see cref="StoreCluster"/>).
/// </summary>
public sealed class StoreNode : IAsyncDisposable
{
    private readonly StoreNodeOptions options;
    private readonly IStoreTransport transport;
    private readonly KeyValueState state;
    private readonly StoreStateMachine machine;
    private readonly WriteAheadLog log;
    private readonly StoreCluster cluster;
    private int disposed;
    private string? failure;
    private Task leftRaft = Task.CompletedTask;

    private StoreNode(StoreNodeOptions options, IStoreTransport transport, KeyValueState state, StoreStateMachine machine)
    {
        this.options = options;
        this.transport = transport;
        this.state = state;
        this.machine = machine;
        log = new WriteAheadLog(LogOptions(Path.Combine(options.DataDirectory, "log")), machine);
        cluster = new StoreCluster(options.Timing, log, transport, options.Name, options.Voters);
    }

    public string Name => options.Name;

    /// <summary>
    /// The write-ahead log's layout and how it reaches the disk. Private memory: each flush writes the
    /// dirty part of the metadata page and of the data page at once (two synchronous writes side by
    /// side, where memory-mapped pages cost two msyncs in a row), and a disk that is full or gone
    /// makes the write fail with an error (a memory-mapped page kills the process with SIGBUS).
    /// </summary>
    private static WriteAheadLog.Options LogOptions(string location) => new()
    {
        Location = location,
        MemoryManagement = WriteAheadLog.MemoryManagementStrategy.PrivateMemory,
        ChunkSize = PageBytes(location),
    };

    /// <summary>
    /// Bytes per data page (one file each) of a new log: DotNext's default, one memory page, made a new
    /// file every dozen puts of 256 bytes, and creating a file costs a flush of the file system's
    /// journal, which a put then waits for. A log keeps the page size it was written with (DotNext
    /// cannot read it with another): its page files have that length.
    /// </summary>
    public const int NewLogPageBytes = 1 << 20;

    private static int PageBytes(string location)
    {
        var data = new DirectoryInfo(Path.Combine(location, "data"));
        var page = data.Exists ? data.EnumerateFiles().FirstOrDefault(f => f.Length > 0) : null;
        return page is null ? NewLogPageBytes : (int)page.Length;
    }

    public StoreLimits Limits => options.Limits;

    /// <summary>Why this voter stopped (its disk refused a write), or null while it runs.</summary>
    public string? Failure => Volatile.Read(ref failure);

    /// <summary>Opens (or creates) the voter's data, restores the latest snapshot and joins the Raft group.</summary>
    public static async Task<StoreNode> StartAsync(StoreNodeOptions options, IStoreTransport transport, CancellationToken token = default)
    {
        if (options.Problem() is { } problem) throw new ArgumentException(problem);
        var data = Directory.CreateDirectory(options.DataDirectory);
        var state = new KeyValueState();
        var machine = new StoreStateMachine(data.CreateSubdirectory("snapshots"), state, options.SnapshotEvery);
        // The log asks the state machine for its snapshot as it opens: the snapshot is loaded first.
        await machine.RestoreAsync(token).ConfigureAwait(false);
        var node = new StoreNode(options, transport, state, machine);
        try
        {
            transport.Serve(node.HandleAsync);
            await node.cluster.StartAsync(token).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The leader's name, or null while there is none this voter knows of.</summary>
    public string? Leader => cluster.Leader?.Address.Name;

    public bool IsLeader => cluster.Leader is { IsRemote: false };

    /// <summary>Puts, deletes or compare-and-sets; the result as applied. Throws <see cref="StoreUnavailableException"/>.</summary>
    public async Task<StoreResult> WriteAsync(StoreCommand command, CancellationToken token = default)
    {
        if (options.Limits.Problem(command.Key, command.Value?.Length ?? 0) is { } problem) throw new ArgumentException(problem);
        if (command.Expected is { Length: var expected } && expected > options.Limits.MaxValueBytes)
            throw new ArgumentException(options.Limits.Problem(command.Key, expected));
        var encoded = command.Encode();
        ThrowIfFailed();
        using var deadline = Deadline(token);
        while (true)
        {
            var leader = await LeaderAsync(deadline.Token).ConfigureAwait(false);
            if (!leader.IsRemote)
                return await ProposeAsync(encoded, deadline.Token).ConfigureAwait(false);
            var reply = await ForwardAsync<StoreWriteReply>(leader.Address.Name, new StoreWriteRequest(encoded), "write", deadline.Token)
                .ConfigureAwait(false);
            switch (reply.Refusal)
            {
                case StoreRefusal.None:
                    return new StoreResult((StoreOutcome)reply.Outcome, reply.Revision);
                case StoreRefusal.NotLeader:
                    await Task.Yield();
                    continue;
                default:
                    throw Indeterminate($"the leader {leader.Address.Name} could not confirm the write");
            }
        }
    }

    /// <summary>The key's value and revision, or null; linearizable. Throws <see cref="StoreUnavailableException"/>.</summary>
    public async Task<StoredValue?> GetAsync(byte[] key, CancellationToken token = default)
    {
        if (options.Limits.Problem(key) is { } problem) throw new ArgumentException(problem);
        ThrowIfFailed();
        using var deadline = Deadline(token);
        while (true)
        {
            var leader = await LeaderAsync(deadline.Token).ConfigureAwait(false);
            if (!leader.IsRemote)
            {
                if (await ReadAsLeaderAsync(key, deadline.Token).ConfigureAwait(false) is var (found, value)) return found ? value : null;
                continue;
            }
            var reply = await ForwardAsync<StoreReadReply>(leader.Address.Name, new StoreReadRequest(key), "read", deadline.Token)
                .ConfigureAwait(false);
            if (reply.Refusal == StoreRefusal.None)
                return reply.Found ? new StoredValue(reply.Value ?? [], reply.Revision) : null;
            await Task.Yield();
        }
    }

    /// <summary>This voter's own copy, at once, possibly behind the leader (`kv get --stale`).</summary>
    public StoredValue? GetStale(byte[] key) => state.Get(key);

    /// <summary>Keys under a prefix from this voter's copy, at once, possibly behind the leader.</summary>
    public List<KeyValuePair<byte[], StoredValue>> ListStale(byte[] prefix, int limit) => state.List(prefix, limit);

    /// <summary>
    /// Keys under a prefix, in byte order, at most <paramref name="limit"/>, from this voter's copy once
    /// it has applied everything the leader had committed when asked (DotNext's read barrier: a
    /// follower asks the leader for its commit index). Throws <see cref="StoreUnavailableException"/>.
    /// </summary>
    public async Task<List<KeyValuePair<byte[], StoredValue>>> ListAsync(byte[] prefix, int limit, CancellationToken token = default)
    {
        ThrowIfFailed();
        using var deadline = Deadline(token);
        while (true)
        {
            await LeaderAsync(deadline.Token).ConfigureAwait(false);
            try
            {
                await cluster.ApplyReadBarrierAsync(ReadBarrierType.Strong, deadline.Token).ConfigureAwait(false);
                return state.List(prefix, limit);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw Unavailable("no majority confirmed the leader");
            }
            catch (Exception e) when (e is NotLeaderException or QuorumUnreachableException or OperationCanceledException)
            {
                // The leader changed meanwhile: ask the next one.
                await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    public StoreStatus Status() => new(
        options.Name,
        Leader,
        cluster.Term,
        log.LastCommittedEntryIndex,
        log.LastEntryIndex,
        machine.AppliedIndex,
        state.Count,
        state.Bytes,
        DirectoryBytes(Path.Combine(options.DataDirectory, "log")),
        DirectoryBytes(Path.Combine(options.DataDirectory, "snapshots")),
        cluster.Members.Select(m => new VoterStatus(m.Address.Name, m.Status.ToString().ToLowerInvariant(), m.IsLeader)).ToList());

    private CancellationTokenSource Deadline(CancellationToken token)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(options.Timeout);
        return deadline;
    }

    private async Task<Voter> LeaderAsync(CancellationToken token)
    {
        try
        {
            return cluster.Leader ?? await cluster.WaitForLeaderAsync(System.Threading.Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw Unavailable("no leader");
        }
        catch (Exception e) when (DiskFault.Of(e) is { } fault)
        {
            // DotNext's member stopped on the log's error (its "zombie" state): the wait fails with it.
            Fail(fault);
            throw new StoreUnavailableException($"store unavailable: {Failure}");
        }
        catch (QuorumUnreachableException)
        {
            // DotNext fails the wait once its member has stopped for good: no leader will come.
            throw new StoreUnavailableException("store unavailable: this voter's Raft member has stopped");
        }
    }

    private async Task<StoreResult> ProposeAsync(byte[] command, CancellationToken token)
    {
        var pending = new PendingWrite();
        try
        {
            await cluster.ReplicateAsync(new BinaryLogEntry { Content = command, Term = cluster.Term, Context = pending }, token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (DiskFault.Of(e) is { } fault)
        {
            Fail(fault);
            throw Indeterminate($"this voter cannot write its log ({fault.Message})");
        }
        catch (Exception e) when (e is NotLeaderException or OperationCanceledException or QuorumUnreachableException)
        {
            throw Indeterminate(e switch
            {
                NotLeaderException => "this voter lost the leadership before the write was committed",
                QuorumUnreachableException => "no majority of the voters answered",
                _ => $"the write was not confirmed within {options.Timeout.TotalMilliseconds:0} ms",
            });
        }
        return pending.Result ?? throw Indeterminate("the write was committed but not applied here");
    }

    /// <summary>(found, value) once this node confirmed its leadership; null when it lost it meanwhile.</summary>
    private async Task<(bool, StoredValue?)?> ReadAsLeaderAsync(byte[] key, CancellationToken token)
    {
        var leadership = cluster.LeadershipToken;
        try
        {
            await cluster.ApplyReadBarrierAsync(ReadBarrierType.Strong, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw Unavailable("no majority confirmed the leader");
        }
        catch (Exception e) when (e is NotLeaderException or QuorumUnreachableException or OperationCanceledException)
        {
            return null;
        }
        if (leadership.IsCancellationRequested) return null;
        var value = state.Get(key);
        return (value is not null, value);
    }

    private async Task<TReply> ForwardAsync<TReply>(string leader, IRaftRequest request, string what, CancellationToken token)
        where TReply : class, IRaftReply
    {
        try
        {
            return await transport.RequestAsync(leader, request, token).ConfigureAwait(false) as TReply
                ?? throw Unavailable($"the leader {leader} answered a {what} with something else");
        }
        catch (Exception e) when (e is VoterUnreachableException or OperationCanceledException)
        {
            throw what == "write"
                ? Indeterminate(e is VoterUnreachableException ? $"the connection to the leader {leader} was lost" : $"the leader {leader} did not answer within {options.Timeout.TotalMilliseconds:0} ms")
                : Unavailable($"the leader {leader} did not answer");
        }
    }

    private async Task<IRaftReply> HandleAsync(string sender, IRaftRequest request, CancellationToken token)
    {
        switch (request)
        {
            case StoreWriteRequest or StoreReadRequest when Failure is not null:
                // Not the leader any more, whatever DotNext still says: the caller asks again.
                return request is StoreWriteRequest
                    ? new StoreWriteReply(0, 0, StoreRefusal.NotLeader)
                    : new StoreReadReply(false, null, 0, StoreRefusal.NotLeader);
            case StoreWriteRequest write:
                if (!IsLeader) return new StoreWriteReply(0, 0, StoreRefusal.NotLeader);
                using (var deadline = Deadline(token))
                {
                    try
                    {
                        var result = await ProposeAsync(write.Command, deadline.Token).ConfigureAwait(false);
                        return new StoreWriteReply((byte)result.Outcome, result.Revision, StoreRefusal.None);
                    }
                    catch (StoreUnavailableException)
                    {
                        return new StoreWriteReply(0, 0, StoreRefusal.Unknown);
                    }
                }
            case StoreReadRequest read:
                if (!IsLeader || options.Limits.Problem(read.Key) is not null) return new StoreReadReply(false, null, 0, StoreRefusal.NotLeader);
                using (var deadline = Deadline(token))
                {
                    try
                    {
                        if (await ReadAsLeaderAsync(read.Key, deadline.Token).ConfigureAwait(false) is var (found, value))
                            return new StoreReadReply(found, value?.Value, value?.Revision ?? 0, StoreRefusal.None);
                    }
                    catch (StoreUnavailableException)
                    {
                    }
                    return new StoreReadReply(false, null, 0, StoreRefusal.NotLeader);
                }
            default:
                // A voter that stopped answers no Raft call (no vote, no acknowledgement): as if it were down.
                if (Failure is { } stopped) throw new InvalidOperationException(stopped);
                try
                {
                    return await cluster.HandleAsync(sender, request, token).ConfigureAwait(false);
                }
                catch (Exception e) when (DiskFault.Of(e) is { } fault)
                {
                    Fail(fault);
                    throw;
                }
        }
    }

    /// <summary>
    /// The voter's disk refused a write: what is on it may be short of what DotNext holds in memory,
    /// so the voter must not vote or acknowledge again until it restarts from its disk. It says so
    /// once (<see cref="StoreNodeOptions.Fault"/>) and leaves the Raft group; the other voters go on
    /// as without it, and its own callers hear "unavailable" with the reason.
    /// </summary>
    private void Fail(Exception fault)
    {
        var why = $"store: voter {options.Name} cannot write its log in {options.DataDirectory} ({fault.Message}); "
            + "it no longer votes or acknowledges writes; free the disk and restart the node";
        if (Interlocked.CompareExchange(ref failure, why, null) is not null) return;
        options.Fault?.Invoke(why);
        leftRaft = Task.Run(async () =>
        {
            try
            {
                await cluster.StopAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Stopping is best effort: every call of ours and theirs is refused from now on anyway.
            }
        });
    }

    private void ThrowIfFailed()
    {
        if (Failure is { } why) throw new StoreUnavailableException($"store unavailable: {why}");
    }

    private StoreUnavailableException Unavailable(string why) =>
        new($"store unavailable: {why} within {options.Timeout.TotalMilliseconds:0} ms");

    /// <summary>A write whose fate is unknown, and why: said as it happened (a lost leadership is not a timeout).</summary>
    private static StoreUnavailableException Indeterminate(string why) =>
        new($"store unavailable: {why}; it may or may not have happened");

    private static long DirectoryBytes(string path) =>
        Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        try
        {
            if (Failure is null) await cluster.StopAsync().ConfigureAwait(false);
            else await leftRaft.ConfigureAwait(false);
        }
        finally
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            await log.DisposeAsync().ConfigureAwait(false);
            await machine.DisposeAsync().ConfigureAwait(false);
        }
    }
}

public sealed record VoterStatus(string Name, string Status, bool IsLeader);

/// <summary>What `iridium store status` shows for one voter.</summary>
public sealed record StoreStatus(
    string Name, string? Leader, long Term, long CommitIndex, long LastLogIndex, long AppliedIndex,
    int Keys, long DataBytes, long LogBytes, long SnapshotBytes, IReadOnlyList<VoterStatus> Voters);
