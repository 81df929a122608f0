using System.Buffers;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Timing;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Membership;

/// <summary>What <see cref="PeerManager.Connect"/> decided about an authenticated connection.</summary>
internal readonly record struct ConnectResult(PeerEntry? Entry, RefuseCode? Refusal, string? Reason, List<MemberRecord>? Members)
{
    public bool Accepted => Entry is not null;

    public static ConnectResult Accept(PeerEntry entry, List<MemberRecord>? members) => new(entry, null, null, members);

    public static ConnectResult Refuse(RefuseCode code, string reason) => new(null, code, reason, null);
}

/// <summary>
/// The one owner of per-peer state (Orleans' connection manager): exactly one
/// <see cref="PeerEntry"/> per node id, holding its member record, connection, pending dial, last
/// failure, backoff and down record. Every change goes through here under one lock, which is never
/// held across I/O (sends only enqueue; closing a connection only cancels and disposes). Also
/// answers the membership questions that need the whole table: the digest, the member list, the
/// live count, silence and expiry.
/// </summary>
internal sealed class PeerManager
{
    /// <summary>Most entries kept (live, down and never reached); member lists beyond it are not followed.</summary>
    public const int MaxEntries = ProtocolLimits.MaxMembers;

    /// <summary>Wait after a failed dial to a member before the next (doubling), unless it connects to us first.</summary>
    public static readonly Backoff DialBackoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(16));

    /// <summary>
    /// Of two nodes that hear of each other, one dials (<see cref="FirstDialer"/>); the other waits
    /// this long (plus jitter) for it before dialing too, whether or not it hears of it again.
    /// Half the handshakes when many nodes start at once; and when the first dialer's turn is
    /// slow to come, whichever of the two gets to the dial first makes the connection (the other's
    /// dial, overtaken, is dropped: <see cref="IsWanted"/>).
    /// </summary>
    public static readonly TimeSpan DialerGrace = TimeSpan.FromSeconds(5);

    /// <summary>Member lists this node sends for anti-entropy per interval, to all peers together.</summary>
    public const int SyncsPerInterval = 8;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, PeerEntry> _byId = [];
    private readonly Dictionary<string, PeerEntry> _liveByAlias = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _retention;
    private readonly ILogger _logger;
    private readonly Func<double> _jitter;
    private LocalIdentity _self;
    private int _liveCount;
    private ulong? _digest;
    private long _syncWindowStartMs = long.MinValue / 2;
    private int _syncsInWindow;
    private bool _closed;

    /// <param name="jitter">A number from 0 to 1 for each backoff (random; tests give a fixed one).</param>
    public PeerManager(LocalIdentity self, TimeSpan downRetention, TimeProvider time, ILogger logger, Func<double>? jitter = null)
    {
        _self = self;
        _retention = downRetention;
        _time = time;
        _logger = logger;
        _jitter = jitter ?? Random.Shared.NextDouble;
    }

    /// <summary>
    /// Hears every change of the live-peer count, in the order they happen, under this manager's
    /// lock: it must be short and take no lock but a leaf one (the seed joiner's).
    /// </summary>
    public Action<int>? LiveCountChanged { get; set; }

    /// <summary>
    /// Hears that a member went down (its node id and why), once the connection it was up on has
    /// closed and its read loop has ended: no message of that connection is routed after it.
    /// Services subscribe here to end what they keep for the member. Raised outside this manager's
    /// lock, on the closed connection's read loop: keep it short.
    /// </summary>
    public event Action<Guid, string>? PeerLost;

    /// <summary>
    /// Hears that a node came up (its node id): its connection is recorded, and what is sent to it
    /// now follows the handshake. Raised outside this manager's lock, on the handshake's task: keep
    /// it short.
    /// </summary>
    public event Action<Guid>? PeerJoined;

    /// <summary>What this node says about itself; the port is set once the listener is bound.</summary>
    public LocalIdentity Self
    {
        get
        {
            lock (_gate) return _self;
        }
        set
        {
            lock (_gate) _self = value;
        }
    }

    public int LiveCount
    {
        get
        {
            lock (_gate) return _liveCount;
        }
    }

    /// <summary>
    /// Records an authenticated connection to a node (dialed or accepted), or says why not. A node
    /// already up keeps the connection that wins the simultaneous-dial rule; the loser is refused
    /// as a duplicate (or superseded, when it was the current one). With <paramref name="wantMembers"/>
    /// the result carries the live members but the newcomer, for its HelloAck.
    /// </summary>
    public ConnectResult Connect(ClusterConnection connection, PeerIdentity peer, bool wantMembers)
    {
        var result = ConnectLocked(connection, peer, wantMembers, out bool cameUp);
        if (cameUp) PeerJoined?.Invoke(peer.NodeId);
        return result;
    }

    private ConnectResult ConnectLocked(ClusterConnection connection, PeerIdentity peer, bool wantMembers, out bool cameUp)
    {
        cameUp = false;
        lock (_gate)
        {
            if (_closed) return ConnectResult.Refuse(RefuseCode.ShuttingDown, "the node is shutting down");
            if (peer.NodeId == _self.NodeId) return ConnectResult.Refuse(RefuseCode.Self, "a node cannot join itself");
            if (peer.Alias == _self.Alias) return ConnectResult.Refuse(RefuseCode.AliasTaken, $"alias '{peer.Alias}' is already used by node {_self.NodeId}");
            if (_liveByAlias.TryGetValue(peer.Alias, out var holder) && holder.NodeId != peer.NodeId)
                return ConnectResult.Refuse(RefuseCode.AliasTaken, $"alias '{peer.Alias}' is already used by live node {holder.NodeId}");

            _byId.TryGetValue(peer.NodeId, out var entry);
            if (entry is { IsUp: true } && entry.Alias != peer.Alias)
                return ConnectResult.Refuse(RefuseCode.AliasTaken, $"node {peer.NodeId} is already a member as '{entry.Alias}'");
            if (entry is { State: PeerState.Up, Connection: { } current } && !connection.WinsOver(current))
                return ConnectResult.Refuse(RefuseCode.Duplicate, "already connected");

            long now = _time.NowMs();
            var members = wantMembers ? LiveRecords(except: peer.NodeId) : null;
            ForgetStaleHoldersOf(peer);
            if (entry is null)
            {
                entry = new PeerEntry(peer, now);
                _byId.Add(peer.NodeId, entry);
            }
            bool wasLive = entry.IsUp;
            var replaced = entry.Connect(connection, peer, now);
            if (replaced is not null) Supersede(entry, replaced);
            if (!wasLive)
            {
                CameUp(entry, announce: wantMembers);
                cameUp = true;
            }
            return ConnectResult.Accept(entry, members);
        }
    }

    /// <summary>
    /// Members heard of (a HelloAck, a MembersUpdate): starts a dial to each valid one that is
    /// neither live, nor being dialed, nor backing off. Returns the dials for the caller to run.
    /// </summary>
    public List<DialTicket> Heard(IReadOnlyList<MemberRecord?> members)
    {
        var dials = new List<DialTicket>();
        lock (_gate)
        {
            if (_closed) return dials;
            long now = _time.NowMs();
            foreach (var member in members)
            {
                if (IntroductionRules.Check(member) is not null || HostPort.IsUnspecified(member!.Host)) continue;
                if (member.NodeId == _self.NodeId || member.Alias == _self.Alias) continue;
                // A stale record of a node whose alias a live member now holds: nothing to reach.
                if (_liveByAlias.TryGetValue(member.Alias!, out var holder) && holder.NodeId != member.NodeId) continue;
                if (!_byId.TryGetValue(member.NodeId, out var entry))
                {
                    if (_byId.Count >= MaxEntries) continue;
                    entry = new PeerEntry(new PeerIdentity(member.NodeId, member.Alias!, member.Host!, member.Port), now);
                    _byId.Add(member.NodeId, entry);
                    if (!FirstDialer.IsSelf(_self.NodeId, member.NodeId))
                    {
                        // Its turn to dial: after the grace it is dialed from here too (RedialDown).
                        entry.Defer(now + (long)(DialerGrace.TotalMilliseconds * (1 + _jitter() / 2)));
                        continue;
                    }
                }
                else if (entry.State != PeerState.Disconnected || now < entry.RetryAtMs)
                {
                    continue;
                }
                dials.Add(entry.BeginDial(member.Host!, member.Port, now));
            }
        }
        return dials;
    }

    /// <summary>
    /// Whether the dial of <paramref name="ticket"/> is still worth running: its entry still
    /// waits for it. A dial waits for its turn (<see cref="Connections.Dialer"/>), on a busy host
    /// for seconds, and meanwhile the node has often dialed us: a handshake run then would only be
    /// refused as a duplicate, on both nodes' CPU.
    /// </summary>
    public bool IsWanted(DialTicket ticket)
    {
        lock (_gate) return !_closed && IsCurrent(ticket.Entry) && ReferenceEquals(ticket.Entry.PendingDial, ticket);
    }

    /// <summary>
    /// A dial started by <see cref="Heard"/> ended without recording a connection for its node.
    /// <paramref name="failure"/> is null when the node is fine (the other side kept another
    /// connection), else why it could not be reached (backoff follows). Late results are ignored.
    /// </summary>
    public void DialEnded(DialTicket ticket, string? failure)
    {
        lock (_gate)
        {
            if (!IsCurrent(ticket.Entry) || !ReferenceEquals(ticket.Entry.PendingDial, ticket)) return;
            ticket.Entry.EndDial(ticket, failure, _time.NowMs(), DialBackoff, _jitter());
        }
    }

    /// <summary>The entry's connection ended. Ignored unless it is the entry's current one.</summary>
    public void ConnectionClosed(PeerEntry entry, ClusterConnection connection, ConnectionClose close)
    {
        lock (_gate)
        {
            if (_closed || !IsCurrent(entry) || !ReferenceEquals(entry.Connection, connection)) return;
            var reason = close.Reason switch
            {
                CloseReason.PeerLeft => DownReason.Left,
                CloseReason.NoHeartbeat => DownReason.NoHeartbeat,
                _ => DownReason.ConnectionLost,
            };
            GoDown(entry, reason, close);
        }
    }

    /// <summary>
    /// A member's connection has ended for good (its read loop is over): recorded as
    /// <see cref="ConnectionClosed"/> does, then <see cref="PeerLost"/> is raised when the member is
    /// no longer up (a connection that lost a race or was replaced leaves it up).
    /// </summary>
    public void ConnectionEnded(PeerEntry entry, ClusterConnection connection, ConnectionClose close)
    {
        ConnectionClosed(entry, connection, close);
        if (!entry.IsUp) PeerLost?.Invoke(entry.NodeId, close.Detail);
    }

    /// <summary>The peer sent Leave on its current connection: down at once, reason left.</summary>
    public void Left(PeerEntry entry, ClusterConnection connection, string? why)
    {
        string detail = string.IsNullOrEmpty(why) ? "left" : "left: " + UntrustedText.Escape(why);
        ConnectionClosed(entry, connection, new ConnectionClose(CloseReason.PeerLeft, detail));
    }

    /// <summary>The peer says this connection lost the simultaneous-dial race: wait for the winner (Switching).</summary>
    public void Superseded(PeerEntry entry, ClusterConnection connection)
    {
        lock (_gate)
        {
            if (IsCurrent(entry) && entry.State == PeerState.Up && ReferenceEquals(entry.Connection, connection)) entry.LoseRace(_time.NowMs());
        }
    }

    /// <summary>
    /// Marks down every live peer silent for longer than <paramref name="timeout"/>, stretched for
    /// the size of the cluster as that peer's and this node's counts say (<see cref="HeartbeatStretch"/>),
    /// plus <paramref name="starvedMs"/>: the time this node itself could not run lately, when its own
    /// read loops could not take the heartbeats waiting in its sockets (<see cref="StarvationMeter"/>).
    /// </summary>
    public void CheckSilence(TimeSpan timeout, long starvedMs = 0)
    {
        lock (_gate)
        {
            long now = _time.NowMs();
            int ourMembers = _liveCount + 1;
            List<(PeerEntry Entry, long SilentMs)>? silent = null;
            foreach (var entry in _byId.Values)
            {
                if (!entry.IsUp) continue;
                long limit = (long)timeout.TotalMilliseconds * HeartbeatStretch.For(Math.Max(ourMembers, entry.HeardMembers)) + Math.Max(0, starvedMs);
                long silentMs = now - entry.LastSeenMs;
                if (silentMs > limit) (silent ??= []).Add((entry, silentMs));
            }
            if (silent is null) return;
            foreach (var (entry, silentMs) in silent)
            {
                GoDown(entry, DownReason.NoHeartbeat, new ConnectionClose(CloseReason.NoHeartbeat, $"no heartbeat for {silentMs} ms"));
            }
        }
    }

    /// <summary>
    /// Starts a dial to every member that went down other than by leaving and whose backoff is
    /// over, so that two sides of a healed partition find each other again without a seed; and to
    /// every node whose turn it was to dial us (<see cref="Heard"/>) and has not within the grace:
    /// it may never hear of this node, since only one node announces a newcomer.
    /// </summary>
    public List<DialTicket> RedialDown()
    {
        var dials = new List<DialTicket>();
        lock (_gate)
        {
            if (_closed) return dials;
            long now = _time.NowMs();
            foreach (var entry in _byId.Values)
            {
                if (entry.IsDueForRedial(now)) dials.Add(entry.BeginDial(entry.Identity.Host, entry.Identity.Port, now));
            }
        }
        return dials;
    }

    /// <summary>Forgets down (and never reached) members once the retention period has passed.</summary>
    public void Expire()
    {
        lock (_gate)
        {
            long now = _time.NowMs();
            List<PeerEntry>? expired = null;
            foreach (var entry in _byId.Values)
            {
                if (entry.State == PeerState.Disconnected && now >= entry.ExpiresAtMs(_retention)) (expired ??= []).Add(entry);
            }
            if (expired is null) return;
            foreach (var entry in expired)
            {
                _byId.Remove(entry.NodeId);
                if (entry.Down is not null) ClusterLog.Forgotten(_logger, entry.Alias, entry.NodeId, "retention period over");
            }
        }
    }

    /// <summary>
    /// FNV-1a over the sorted ids of this node and its live peers: equal sets give equal digests,
    /// whatever the order. Down members are left out, so they never make two views differ.
    /// </summary>
    public ulong Digest()
    {
        lock (_gate) return _digest ??= ComputeDigest();
    }

    /// <summary>The digest of the live set, computed again only when it changes (every heartbeat received asks for it). Caller holds the lock.</summary>
    private ulong ComputeDigest()
    {
        var ids = new Guid[_liveCount + 1];
        ids[0] = _self.NodeId;
        int i = 1;
        foreach (var entry in _byId.Values)
        {
            if (entry.IsUp) ids[i++] = entry.NodeId;
        }
        return DigestOf(ids);
    }

    internal static ulong DigestOf(Guid[] ids)
    {
        Array.Sort(ids);
        ulong hash = 14695981039346656037UL;
        Span<byte> bytes = stackalloc byte[16];
        foreach (var id in ids)
        {
            id.TryWriteBytes(bytes);
            foreach (byte b in bytes) hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>
    /// Anti-entropy: when a peer's digest differs from ours, the member list to send it (live
    /// peers and this node), at most once per <paramref name="minInterval"/> per peer; otherwise
    /// null. Only one side of a pair sends: the one that counts more members
    /// (<paramref name="peerCount"/> is the peer's), or, counting as many, the lower node id;
    /// and this node sends at most <see cref="SyncsPerInterval"/> lists per interval in all.
    /// While many nodes join at once every digest differs, and lists of a hundred members sent to
    /// every peer twice a second (each checked entry by entry) were most of a node's work.
    /// </summary>
    public MembersUpdate? SyncFor(PeerEntry entry, ulong peerDigest, int peerCount, TimeSpan minInterval)
    {
        lock (_gate)
        {
            if (peerDigest == Digest()) return null;
            int ourCount = _liveCount + 1;
            if (peerCount > ourCount || (peerCount == ourCount && _self.NodeId.CompareTo(entry.NodeId) > 0)) return null;
            long now = _time.NowMs();
            if (now - entry.LastSyncSentMs < minInterval.TotalMilliseconds) return null;
            if (now - _syncWindowStartMs >= minInterval.TotalMilliseconds)
            {
                _syncWindowStartMs = now;
                _syncsInWindow = 0;
            }
            if (_syncsInWindow >= SyncsPerInterval) return null;
            _syncsInWindow++;
            entry.LastSyncSentMs = now;
            var members = LiveRecords(except: Guid.Empty);
            members.Add(new MemberRecord { NodeId = _self.NodeId, Alias = _self.Alias, Host = _self.AdvertisedHost, Port = _self.AdvertisedPort });
            return new MembersUpdate { Members = members };
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> to every live peer (never waits for a slow one). The
    /// connections are taken under the lock and written to outside it: a send writes the frame on
    /// the caller's thread when nobody else is writing, and a heartbeat to hundreds of peers must
    /// not hold up every read loop that needs this manager meanwhile.
    /// </summary>
    public void Broadcast(IClusterMessage message)
    {
        ClusterConnection[] connections;
        int count = 0;
        lock (_gate)
        {
            connections = ArrayPool<ClusterConnection>.Shared.Rent(Math.Max(1, _byId.Count));
            foreach (var entry in _byId.Values)
            {
                if (entry.Connection is { } connection) connections[count++] = connection;
            }
        }
        try
        {
            for (int i = 0; i < count; i++) connections[i].TrySend(message);
        }
        finally
        {
            Array.Clear(connections, 0, count);
            ArrayPool<ClusterConnection>.Shared.Return(connections);
        }
    }

    /// <summary>The members to show: live peers and down ones within the retention period.</summary>
    public void AddListed(List<MemberInfo> members)
    {
        lock (_gate)
        {
            long now = _time.NowMs();
            foreach (var entry in _byId.Values)
            {
                if (!entry.IsListed) continue;
                long lastSeen = Math.Max(0, now - entry.LastSeenMs);
                var identity = entry.Identity;
                members.Add(entry.Down is { } down && !entry.IsUp
                    ? new MemberInfo(entry.Alias, entry.NodeId, identity.Host, identity.Port, MemberStatus.Down, lastSeen, Math.Max(0, now - down.SinceMs), down.Reason)
                    : new MemberInfo(entry.Alias, entry.NodeId, identity.Host, identity.Port, MemberStatus.Up, lastSeen));
            }
        }
    }

    /// <summary>The current connection to a live node, for sending it a message.</summary>
    public ClusterConnection? ConnectionTo(Guid nodeId)
    {
        lock (_gate) return _byId.TryGetValue(nodeId, out var entry) ? entry.Connection : null;
    }

    /// <summary>Every live peer, by node id and alias.</summary>
    public List<(Guid NodeId, string Alias)> LivePeers()
    {
        lock (_gate) return _byId.Values.Where(entry => entry.IsUp).Select(entry => (entry.NodeId, entry.Alias)).ToList();
    }

    /// <summary>The node id of the live member called <paramref name="alias"/>, if any.</summary>
    public Guid? LiveNodeNamed(string alias)
    {
        lock (_gate) return _liveByAlias.TryGetValue(alias, out var entry) ? entry.NodeId : null;
    }

    /// <summary>The entry for a node id, in whatever state (tests and diagnostics).</summary>
    public PeerEntry? Find(Guid nodeId)
    {
        lock (_gate) return _byId.GetValueOrDefault(nodeId);
    }

    /// <summary>
    /// The node is leaving: from now on nothing is recorded and no close is reported. Returns the
    /// live peers' connections, to be told and closed by the caller.
    /// </summary>
    public List<ClusterConnection> Close()
    {
        lock (_gate)
        {
            _closed = true;
            var connections = new List<ClusterConnection>();
            foreach (var entry in _byId.Values)
            {
                if (entry.Connection is { } connection) connections.Add(connection);
            }
            return connections;
        }
    }

    private bool IsCurrent(PeerEntry entry) => _byId.TryGetValue(entry.NodeId, out var current) && ReferenceEquals(current, entry);

    /// <summary>Live members' records, except one. Caller holds the lock.</summary>
    private List<MemberRecord> LiveRecords(Guid except)
    {
        var records = new List<MemberRecord>(_liveCount);
        foreach (var entry in _byId.Values)
        {
            if (entry.IsUp && entry.NodeId != except) records.Add(entry.ToRecord());
        }
        return records;
    }

    /// <summary>
    /// A node has authenticated with <paramref name="peer"/>'s alias: entries of other node ids
    /// with that alias that are not live (a restarted node's down entry, a stale record being
    /// dialed) are forgotten, so a down member never blocks its own restart. Caller holds the lock.
    /// </summary>
    private void ForgetStaleHoldersOf(PeerIdentity peer)
    {
        List<PeerEntry>? stale = null;
        foreach (var entry in _byId.Values)
        {
            if (!entry.IsUp && entry.NodeId != peer.NodeId && entry.Alias == peer.Alias) (stale ??= []).Add(entry);
        }
        if (stale is null) return;
        foreach (var entry in stale)
        {
            _byId.Remove(entry.NodeId);
            if (entry.Down is not null) ClusterLog.Forgotten(_logger, entry.Alias, entry.NodeId, $"node {peer.NodeId} now uses its alias");
        }
    }

    /// <summary>
    /// A node became live: log it, count it, and, with <paramref name="announce"/> (it joined
    /// through this node), push it to everyone else now. Caller holds the lock.
    /// </summary>
    private void CameUp(PeerEntry entry, bool announce)
    {
        _liveByAlias[entry.Alias] = entry;
        _liveCount++;
        _digest = null;
        ClusterLog.NodeUp(_logger, entry.Alias, entry.NodeId, HostPort.Format(entry.Identity.Host, entry.Identity.Port));
        // Rather than waiting for anti-entropy, the others connect to the newcomer directly: that
        // is what makes concurrent joins converge quickly. Only the node it joined through tells
        // them: when every node announced every node that came up to every peer, a mesh of N
        // nodes forming at once sent N³/2 announcements (8 million at 256 nodes), all saying what
        // the joined-through node had said already; anti-entropy covers what that one misses.
        if (announce)
        {
            var message = new MembersUpdate { Members = [entry.ToRecord()] };
            foreach (var other in _byId.Values)
            {
                if (!ReferenceEquals(other, entry)) other.Connection?.TrySend(message);
            }
        }
        LiveCountChanged?.Invoke(_liveCount);
    }

    /// <summary>Live → down: close its connection, log one line, count it. Caller holds the lock.</summary>
    private void GoDown(PeerEntry entry, DownReason reason, ConnectionClose close)
    {
        var connection = entry.GoDown(reason, _time.NowMs(), DialBackoff, _jitter());
        if (_liveByAlias.TryGetValue(entry.Alias, out var holder) && ReferenceEquals(holder, entry)) _liveByAlias.Remove(entry.Alias);
        _liveCount--;
        _digest = null;
        connection?.Close(close.Reason, close.Detail);
        ClusterLog.NodeDown(_logger, entry.Alias, close.Detail);
        LiveCountChanged?.Invoke(_liveCount);
    }

    /// <summary>A newer connection won the simultaneous-dial race: tell the old one to step aside quietly. Caller holds the lock.</summary>
    private void Supersede(PeerEntry entry, ClusterConnection old)
    {
        old.TrySend(new Superseded());
        ClusterLog.Replaced(_logger, entry.Alias, "simultaneous connect");
        _ = old.CloseGracefullyAsync(CloseReason.Superseded, "superseded", TimeSpan.FromSeconds(1));
    }
}
