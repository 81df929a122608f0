using System.Collections.Concurrent;
using Iridium.Cluster;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;
using Iridium.Store.Raft;

namespace Iridium.Store.Mesh;

/// <summary>
/// The store's transport on a node: requests and replies ride the authenticated mesh connection to
/// the voter's node (tags 60-79, registered with the node's router), so the store opens no port of
/// its own (docs/cluster.md, "The replicated store"). Calls are matched to replies by call id. Both
/// directions are bounded: at most <see cref="MaxOpenCalls"/> calls of ours wait for replies, and at
/// most <see cref="MaxServedPerPeer"/> requests of one member are being answered at once (more are
/// dropped; the sender's call times out, as on a lossy link). A lost member fails its open calls at once.
/// A snapshot travels in parts, each well within a frame (<see cref="SnapshotParts"/>).
/// </summary>
internal sealed class MeshStoreTransport : IStoreTransport, IPeerService
{
    public const int MaxOpenCalls = 4096;
    public const int MaxServedPerPeer = 256;

    private readonly ClusterNode node;
    private readonly ConcurrentDictionary<long, (Guid Peer, TaskCompletionSource<IRaftReply> Reply)> open = new();
    private readonly ConcurrentDictionary<Guid, int> served = new();
    private readonly SnapshotParts snapshots;
    private Func<string, IRaftRequest, CancellationToken, Task<IRaftReply>>? handler;
    private long nextCallId;

    public MeshStoreTransport(ClusterNode node)
    {
        this.node = node;
        snapshots = new SnapshotParts(TimeProvider.System);
        node.AddService(TagRange.Store, this);
        node.PeerLost += OnPeerLost;
    }

    /// <summary>Snapshot parts refused and unfinished snapshots let go (<see cref="SnapshotParts.Dropped"/>).</summary>
    public long SnapshotPartsDropped => snapshots.Dropped;

    public void Serve(Func<string, IRaftRequest, CancellationToken, Task<IRaftReply>> serve) => handler = serve;

    public async Task<IRaftReply> RequestAsync(string voter, IRaftRequest request, CancellationToken token)
    {
        if (node.ResolveMember(voter) is not { } peer) throw new VoterUnreachableException(voter, "not connected") { NotSent = true };
        if (open.Count >= MaxOpenCalls) throw new VoterUnreachableException(voter, $"{MaxOpenCalls} calls are already waiting for replies") { NotSent = true };
        var callId = Interlocked.Increment(ref nextCallId);
        var reply = new TaskCompletionSource<IRaftReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        open[callId] = (peer, reply);
        try
        {
            var message = StoreWire.ToWire(request, callId);
            IEnumerable<IStoreMessage> parts = message is StoreInstallSnapshot snapshot ? SnapshotParts.Split(snapshot) : [message];
            foreach (var part in parts)
                if (!await node.SendAsync(peer, part, token).ConfigureAwait(false))
                    throw new VoterUnreachableException(voter, "not connected") { NotSent = true };
            return await reply.Task.WaitAsync(token).ConfigureAwait(false);
        }
        finally
        {
            open.TryRemove(callId, out _);
        }
    }

    public void OnPeerMessage(Guid peer, ClusterConnection connection, IClusterMessage message)
    {
        var store = (IStoreMessage)message;
        if (store is StoreInstallSnapshot part)
        {
            // Held until its last part arrives (or dropped): only a whole snapshot goes on.
            if (snapshots.Take(peer, part) is not { } whole) return;
            store = whole;
        }
        if (StoreWire.ReplyFrom(store) is { } reply)
        {
            // A reply to a call that timed out meanwhile, or from another member, is dropped.
            if (open.TryGetValue(store.CallId, out var call) && call.Peer == peer) call.Reply.TrySetResult(reply);
            return;
        }
        var request = StoreWire.RequestFrom(store);
        var sender = node.AliasOf(peer);
        if (request is null || sender is null || handler is null) return;
        if (served.AddOrUpdate(peer, 1, (_, n) => n + 1) > MaxServedPerPeer)
        {
            served.AddOrUpdate(peer, 0, (_, n) => n - 1);
            return;
        }
        _ = AnswerAsync(peer, sender, store.CallId, request);
    }

    private async Task AnswerAsync(Guid peer, string sender, long callId, IRaftRequest request)
    {
        try
        {
            // Off the member's read loop: a Raft handler waits for locks and for the disk.
            await Task.Yield();
            var reply = await handler!(sender, request, CancellationToken.None).ConfigureAwait(false);
            await node.SendAsync(peer, StoreWire.ToWire(reply, callId)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // No reply: the caller's call times out and Raft retries, as after a lost message.
        }
        finally
        {
            served.AddOrUpdate(peer, 0, (_, n) => n - 1);
        }
    }

    private void OnPeerLost(Guid peer, string alias)
    {
        snapshots.Forget(peer);
        foreach (var (callId, call) in open)
            if (call.Peer == peer) call.Reply.TrySetException(new VoterUnreachableException(alias, "connection lost"));
    }
}
