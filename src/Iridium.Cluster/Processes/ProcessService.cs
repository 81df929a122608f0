using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;
using Iridium.Cluster.Timing;
using Iridium.Crypto;
using Iridium.Vm;


namespace Iridium.Cluster.Processes;

using DownReason = Iridium.Vm.DownReason;

/// <summary>
/// Processes across members (docs/processes.md, across nodes): this node's side of SPAWN on
/// another member, SEND between members, remote MONITOR, WHERE NAME@ALIAS and NODES for the
/// node's <see cref="ProcessRuntime"/> (<see cref="IProcessNetwork"/>), and the answers to what
/// other members ask of it (tags 40-49, <see cref="TagRange.Processes"/>).
/// <para>
/// A process of another member is its node id and serial there (<see cref="RemoteProcessId"/>);
/// the node is always the connection's peer, so a member can name only its own processes and
/// this node's. Nothing a member sends is trusted: sizes are checked before anything is kept,
/// and messages for processes that do not exist, oversized ones and those a full mailbox refuses
/// are dropped and counted (<see cref="Drops"/>). No SEND waits for a member: what this service
/// queues for a member is bounded (<see cref="QueueBytes"/>), and past it a SEND is refused
/// (eq = false) rather than the connection closed. A member lost ends every call waiting on it
/// and gives every monitor of its processes reason 4.
/// </para>
/// </summary>
internal sealed class ProcessService : IPeerService, IProcessNetwork
{
    /// <summary>Bytes queued for one member past which process messages are refused: far below the connection's own bound, so process traffic never gets a member disconnected.</summary>
    public const long QueueBytes = 8 << 20;

    /// <summary>Bytes of images kept for SPAWNs from other members.</summary>
    public const long ImageCacheBytes = 64 << 20;

    /// <summary>Monitors one member may hold on this node's processes at once; more are dropped and counted.</summary>
    public const int MaxMonitorsPerMember = 1 << 20;

    /// <summary>Hashes remembered as sent to one member; past it the memory starts again (the member then asks for an image).</summary>
    private const int MaxImagesRememberedPerMember = 1024;

    /// <summary>Frame bytes besides the payload of the largest process message (a RemoteSend or RemoteOutput).</summary>
    private const int MessageOverheadBytes = 64;

    private readonly ProcessRuntime _runtime;
    private readonly PeerManager _peers;
    private readonly TimeProvider _time;
    private readonly long _answerWithinMs;
    private readonly Exec.ExecLimits _limits;
    private readonly ImageCache _images = new(ImageCacheBytes);
    private readonly ConditionalWeakTable<ProcessImage, byte[]> _hashes = [];
    private readonly ConcurrentDictionary<long, PendingCall> _calls = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<MonitorKey, Monitors> _monitors = [];
    private readonly Dictionary<Guid, HashSet<string>> _imagesSentTo = [];
    private readonly ConcurrentDictionary<Guid, int> _monitorsHeld = new();
    private long _nextRequest;
    private long _imagesSent;

    public ProcessService(ProcessRuntime runtime, PeerManager peers, TimeProvider time, TimeSpan answerWithin, Exec.ExecLimits limits)
    {
        _runtime = runtime;
        _peers = peers;
        _time = time;
        _answerWithinMs = (long)answerWithin.TotalMilliseconds;
        _limits = limits;
        Groups = new GroupLinks(runtime, (member, message) => _peers.ConnectionTo(member)?.TrySend(message) ?? false);
    }

    /// <summary>Which parts of groups run on which members (tags 56-59).</summary>
    public GroupLinks Groups { get; }

    /// <summary>What was dropped, by why (tests, diagnostics).</summary>
    public ProcessDrops Drops { get; } = new();

    /// <summary>SPAWN requests that carried their image (the others sent only its hash).</summary>
    public long ImagesSent => Interlocked.Read(ref _imagesSent);

    /// <summary>Images kept for other members' SPAWNs (tests).</summary>
    internal ImageCache Images => _images;

    // ---- NODES ----

    public int MemberCount => _peers.LiveCount + 1;

    public int ThisMemberIndex
    {
        get
        {
            var members = Members();
            return members.FindIndex(m => m.NodeId == Guid.Empty);
        }
    }

    /// <summary>The up members in ordinal order of their aliases, this node as <see cref="Guid.Empty"/>: what SPAWN's node index counts in.</summary>
    private List<(Guid NodeId, string Alias)> Members()
    {
        var members = _peers.LivePeers();
        members.Add((Guid.Empty, _peers.Self.Alias));
        members.Sort((a, b) => string.CompareOrdinal(a.Alias, b.Alias));
        return members;
    }

    // ---- this node's processes acting on other members' ----

    public bool Send(Process sender, Process target, byte[] payload)
    {
        var node = target.Remote!.Value.Node;
        return TrySend(node, new RemoteSend { From = sender.Serial, To = target.Serial, Payload = payload }, payload.Length);
    }

    public void Monitor(Process watcher, Process target)
    {
        var key = new MonitorKey(target.Remote!.Value.Node, watcher.Serial, target.Serial);
        lock (_gate)
        {
            if (_monitors.TryGetValue(key, out var set)) set.Count++;
            else _monitors[key] = new Monitors(watcher, target);
        }
        if (TrySend(key.Node, new RemoteMonitor { Watcher = watcher.Serial, Target = target.Serial }, 0)) return;
        // Not up (or not reachable now): as if the node was lost at once.
        if (TakeMonitor(key) is not null) watcher.PostNotice(target, DownReason.NodeLost);
    }

    public void Notify(Process watcher, Process about, DownReason reason)
    {
        var node = watcher.Remote!.Value.Node;
        _monitorsHeld.AddOrUpdate(node, 0, (_, held) => Math.Max(0, held - 1));
        // A member that is gone has nobody left to tell.
        TrySend(node, new RemoteDown { Watcher = watcher.Serial, Target = about.Serial, Reason = (byte)reason }, 0);
    }

    public void Spawn(RemoteCall call, int memberIndex, ProcessImage image, int pcAddress, int r0)
    {
        var members = Members();
        if (memberIndex < 0 || memberIndex >= members.Count || members[memberIndex].NodeId == Guid.Empty || image.Bytes.Length > _limits.MaxImageBytes)
        {
            call.Complete(null);
            return;
        }
        var (node, alias) = members[memberIndex];
        byte[] hash = _hashes.GetValue(image, static i => Sha256.Hash(i.Bytes.Span));
        string key = ImageCache.KeyOf(hash, image.IsHeaderless);
        bool sentBefore;
        lock (_gate) sentBefore = _imagesSentTo.TryGetValue(node, out var sent) && sent.Contains(key);
        var request = new RemoteSpawn
        {
            RequestId = Interlocked.Increment(ref _nextRequest),
            Parent = call.Caller.Serial,
            ImageHash = hash,
            Image = sentBefore ? null : image.Bytes.ToArray(),
            Headerless = image.IsHeaderless,
            Pc = pcAddress,
            R0 = r0,
            Group = call.Caller.Group.Id,
        };
        // The child's part of the group counts from now: a part that ends before the answer is read still holds the group open.
        Ask(call, node, alias, request.RequestId, request, image, call.Caller.Group.AddRemotePart());
    }

    public void Where(RemoteCall call, string name, string alias)
    {
        if (_peers.LiveNodeNamed(alias) is not { } node)
        {
            call.Complete(null);
            return;
        }
        long id = Interlocked.Increment(ref _nextRequest);
        Ask(call, node, alias, id, new RemoteWhere { RequestId = id, Name = name }, image: null, part: null);
    }

    /// <summary>Sends a request whose answer completes <paramref name="call"/>; an unsendable one completes it at once with null.</summary>
    private void Ask(RemoteCall call, Guid node, string alias, long requestId, IProcessMessage request, ProcessImage? image, RemotePart? part)
    {
        var pending = new PendingCall(call, node, alias, _time.NowMs() + _answerWithinMs, request as RemoteSpawn, image, part);
        _calls[requestId] = pending;
        int bytes = request is RemoteSpawn { Image: { } sent } ? sent.Length : 0;
        if (TrySend(node, request, bytes))
        {
            if (bytes > 0) Interlocked.Increment(ref _imagesSent);
            return;
        }
        if (_calls.TryRemove(requestId, out _)) Refused(pending);
    }

    /// <summary>A call ends without an answer: the caller hears null, and a spawn's part never started.</summary>
    private static void Refused(PendingCall pending)
    {
        pending.Part?.Release();
        pending.Call.Complete(null);
    }

    /// <summary>The node's timer: calls unanswered for the failure timeout end refused (a member that is up but does not answer).</summary>
    public void Tick()
    {
        long now = _time.NowMs();
        foreach (var (id, pending) in _calls)
        {
            if (now >= pending.DeadlineMs && _calls.TryRemove(id, out _)) Refused(pending);
        }
    }

    // ---- what other members ask of this node ----

    public void OnPeerMessage(Guid peer, ClusterConnection connection, IClusterMessage message)
    {
        switch (message)
        {
            case RemoteSend send:
                Deliver(peer, send);
                break;
            case RemoteSpawn spawn:
                var (spawned, child) = SpawnFor(peer, spawn);
                connection.TrySend(spawned);
                // Told after the answer, so the member never hears of a part's end before its start.
                if (child is not null) Groups.StartedHere(peer, spawn.Parent, child);
                break;
            case RemoteSpawnReply reply:
                Answered(peer, reply);
                break;
            case RemoteMonitor monitor:
                Watch(peer, monitor);
                break;
            case RemoteDown down:
                Down(peer, down);
                break;
            case RemoteWhere where:
                var found = where.Name is { } name ? _runtime.Lookup(name) : null;
                connection.TrySend(new RemoteWhereReply { RequestId = where.RequestId, Found = found is not null, Serial = found?.Serial ?? 0 });
                break;
            case RemoteWhereReply whereReply:
                if (TakeCall(peer, whereReply.RequestId) is { } asked)
                    asked.Call.Complete(whereReply.Found ? _runtime.RemoteProcess(new RemoteProcessId(peer, whereReply.Serial), asked.Alias) : null);
                else Drops.Add(ProcessDrop.Unasked);
                break;
            case RemoteOutput output:
                // The parent may have ended while its children there still print: the group still reads.
                var group = _runtime.Find(output.To) is { Remote: null } parent ? parent.Group : Groups.GroupOfParent(peer, output.To);
                if (output.Bytes is { } bytes && group is not null) group.WriteFromElsewhere(bytes);
                else Drops.Add(ProcessDrop.NoSuchProcess);
                break;
            case GroupPartEnded ended:
                if (!Groups.Ended(peer, ended)) Drops.Add(ProcessDrop.Unasked);
                break;
            case GroupStop stop:
                if (!Groups.Stop(peer, stop)) Drops.Add(ProcessDrop.NoSuchProcess);
                break;
            default:
                Drops.Add(ProcessDrop.Unasked);
                break;
        }
    }

    private void Deliver(Guid peer, RemoteSend send)
    {
        if (send.Payload is not { } payload || payload.Length > _runtime.Limits.MaxMessageBytes)
        {
            Drops.Add(ProcessDrop.Oversized);
            return;
        }
        if (_runtime.Find(send.To) is not { Remote: null } target)
        {
            Drops.Add(ProcessDrop.NoSuchProcess);
            return;
        }
        var sender = _runtime.RemoteProcess(new RemoteProcessId(peer, send.From), AliasOf(peer));
        // Refused by a full mailbox: the mailbox counts it (ps shows it), and so does this node.
        if (!target.TryPost(sender, payload)) Drops.Add(ProcessDrop.MailboxFull);
    }

    private (RemoteSpawnReply Reply, Process? Child) SpawnFor(Guid peer, RemoteSpawn spawn)
    {
        var reply = new RemoteSpawnReply { RequestId = spawn.RequestId, Outcome = SpawnOutcome.Refused };
        if (spawn.ImageHash is not { Length: Sha256.HashSize } hash || spawn.Image is { Length: 0 } || spawn.Image?.Length > _limits.MaxImageBytes)
        {
            Drops.Add(ProcessDrop.Malformed);
            return (reply, null);
        }
        string key = ImageCache.KeyOf(hash, spawn.Headerless);
        var image = _images.Get(key);
        if (image is null)
        {
            if (spawn.Image is null)
            {
                reply.Outcome = SpawnOutcome.ImageWanted;
                return (reply, null);
            }
            // The hash is the cache's key: an image that does not match it would poison the cache.
            if (!Sha256.Hash(spawn.Image).AsSpan().SequenceEqual(hash) || ProcessImage.TryLoad(spawn.Image, spawn.Headerless) is not { } loaded)
            {
                Drops.Add(ProcessDrop.Malformed);
                return (reply, null);
            }
            _images.Add(key, image = loaded);
        }
        var parent = _runtime.RemoteProcess(new RemoteProcessId(peer, spawn.Parent), AliasOf(peer));
        string groupId = spawn.Group is { Length: > 0 } id ? UntrustedText.Escape(id) : parent.Id;
        var child = _runtime.SpawnForRemote(parent, image, spawn.Pc, spawn.R0, new GroupOutputStream(this, peer, spawn.Parent), _limits.MaxHeapBytes, _limits.HeapBudget, groupId);
        if (child is null) return (reply, null);
        reply.Outcome = SpawnOutcome.Started;
        reply.Child = child.Serial;
        return (reply, child);
    }

    private void Answered(Guid peer, RemoteSpawnReply reply)
    {
        if (TakeCall(peer, reply.RequestId) is not { } asked)
        {
            Drops.Add(ProcessDrop.Unasked);
            // Started after its caller gave up: nobody holds a handle to it, so its part stops.
            if (reply.Outcome == SpawnOutcome.Started) _peers.ConnectionTo(peer)?.TrySend(new GroupStop { Part = reply.Child, FromPart = false });
            return;
        }
        switch (reply.Outcome)
        {
            case SpawnOutcome.Started:
                RememberSent(peer, asked.Spawn!);
                if (asked.Part is { } part) Groups.StartedElsewhere(peer, asked.Spawn!.Parent, reply.Child, part);
                asked.Call.Complete(_runtime.RemoteProcess(new RemoteProcessId(peer, reply.Child), asked.Alias));
                break;
            case SpawnOutcome.ImageWanted when asked.Spawn is { Image: null } hashOnly && asked.Image is { } image:
                // Its cache let the image go: once more, with the image.
                hashOnly.Image = image.Bytes.ToArray();
                hashOnly.RequestId = Interlocked.Increment(ref _nextRequest);
                Ask(asked.Call, peer, asked.Alias, hashOnly.RequestId, hashOnly, image, asked.Part);
                break;
            default:
                Refused(asked);
                break;
        }
    }

    private void Watch(Guid peer, RemoteMonitor monitor)
    {
        var watcher = _runtime.RemoteProcess(new RemoteProcessId(peer, monitor.Watcher), AliasOf(peer));
        if (_monitorsHeld.AddOrUpdate(peer, 1, (_, held) => held + 1) > MaxMonitorsPerMember)
        {
            _monitorsHeld.AddOrUpdate(peer, 0, (_, held) => held - 1);
            Drops.Add(ProcessDrop.Flood);
            return;
        }
        if (_runtime.Find(monitor.Target) is { Remote: null } target)
        {
            // Its end (or, when it ended meanwhile, reason 5) comes back through Notify.
            target.AddWatcher(watcher);
            return;
        }
        _monitorsHeld.AddOrUpdate(peer, 0, (_, held) => Math.Max(0, held - 1));
        TrySend(peer, new RemoteDown { Watcher = monitor.Watcher, Target = monitor.Target, Reason = (byte)DownReason.NoSuchProcess }, 0);
    }

    private void Down(Guid peer, RemoteDown down)
    {
        var key = new MonitorKey(peer, down.Watcher, down.Target);
        if (down.Reason > (byte)DownReason.NoSuchProcess || TakeMonitor(key) is not { } monitors)
        {
            Drops.Add(ProcessDrop.Unasked);
            return;
        }
        monitors.Watcher.PostNotice(monitors.Target, (DownReason)down.Reason);
    }

    /// <summary>A member is lost (<see cref="PeerManager.PeerLost"/>): its calls end refused, and every monitor of its processes gets reason 4.</summary>
    public void OnPeerLost(Guid peer, string why)
    {
        foreach (var (id, pending) in _calls)
        {
            if (pending.Node == peer && _calls.TryRemove(id, out _)) Refused(pending);
        }
        Groups.Lost(peer);
        List<Monitors> lost = [];
        lock (_gate)
        {
            foreach (var (key, monitors) in _monitors)
            {
                if (key.Node == peer) lost.Add(monitors);
            }
            _monitors.Keys.Where(k => k.Node == peer).ToList().ForEach(k => _monitors.Remove(k));
            _imagesSentTo.Remove(peer);
        }
        _monitorsHeld.TryRemove(peer, out _);
        foreach (var monitors in lost)
        {
            for (int i = 0; i < monitors.Count; i++) monitors.Watcher.PostNotice(monitors.Target, DownReason.NodeLost);
        }
    }

    // ---- helpers ----

    /// <summary>
    /// Queues a process message for a member: false when it is not up, the message could not be
    /// framed, or this service's share of its queue is used up (refused, never waited for).
    /// </summary>
    private bool TrySend(Guid node, IProcessMessage message, int payloadBytes)
    {
        if (_peers.ConnectionTo(node) is not { } connection) return false;
        if (payloadBytes + MessageOverheadBytes > connection.AuthenticatedMaxFrameBytes) return false;
        if (connection.QueuedBytes + payloadBytes + MessageOverheadBytes > QueueBytes)
        {
            Drops.Add(ProcessDrop.QueueFull);
            return false;
        }
        return connection.TrySendBatched(message);
    }

    /// <summary>Lines a process spawned here for <paramref name="peer"/> printed, to its parent's group there.</summary>
    internal void SendOutput(Guid peer, long parent, ReadOnlySpan<byte> bytes)
    {
        if (!TrySend(peer, new RemoteOutput { To = parent, Bytes = bytes.ToArray() }, bytes.Length)) Drops.Add(ProcessDrop.OutputLost);
    }

    private PendingCall? TakeCall(Guid peer, long requestId)
    {
        // Only the member asked may answer: another's answer with a guessed id is dropped.
        if (!_calls.TryGetValue(requestId, out var pending) || pending.Node != peer) return null;
        return _calls.TryRemove(requestId, out pending) ? pending : null;
    }

    private Monitors? TakeMonitor(MonitorKey key)
    {
        lock (_gate)
        {
            if (!_monitors.TryGetValue(key, out var monitors)) return null;
            if (--monitors.Count == 0) _monitors.Remove(key);
            return monitors;
        }
    }

    private void RememberSent(Guid peer, RemoteSpawn spawn)
    {
        string key = ImageCache.KeyOf(spawn.ImageHash!, spawn.Headerless);
        lock (_gate)
        {
            if (!_imagesSentTo.TryGetValue(peer, out var sent)) _imagesSentTo[peer] = sent = new HashSet<string>(StringComparer.Ordinal);
            if (sent.Count >= MaxImagesRememberedPerMember) sent.Clear();
            sent.Add(key);
        }
    }

    private string AliasOf(Guid peer) => _peers.Find(peer)?.Alias ?? peer.ToString();

    private readonly record struct MonitorKey(Guid Node, long Watcher, long Target);

    /// <summary>Monitors one local process set on one remote process: each gives its own notice.</summary>
    private sealed class Monitors(Process watcher, Process target)
    {
        public Process Watcher { get; } = watcher;
        public Process Target { get; } = target;
        public int Count { get; set; } = 1;
    }

    /// <param name="Part">A spawn's part of its caller's group, held until the answer (released when there is none).</param>
    private sealed record PendingCall(RemoteCall Call, Guid Node, string Alias, long DeadlineMs, RemoteSpawn? Spawn, ProcessImage? Image, RemotePart? Part);

    public void GroupStopped(ProcessGroup group) => Groups.Stopped(group);
}
