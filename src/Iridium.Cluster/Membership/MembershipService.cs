using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;
using Iridium.Cluster.Timing;

namespace Iridium.Cluster.Membership;

/// <summary>
/// What keeps the member set true once peers are connected: the messages members exchange
/// (heartbeats, member lists, Leave, Superseded), heartbeats on a timer, failure detection,
/// anti-entropy through the digest, and forgetting down members after the retention period.
/// It owns the membership tags (<see cref="TagRange.Membership"/>); every other message of a
/// member is routed past it (<see cref="PeerRouter"/>).
/// </summary>
internal sealed class MembershipService : IPeerService
{
    private readonly PeerManager _peers;
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeSpan _failureTimeout;
    private readonly TimeProvider _time;
    private readonly Dialer _dialer;
    private readonly StarvationMeter? _starvation;
    private readonly HeartbeatLateness _lateness = new();
    private long _heartbeatSequence;
    private long _nextHeartbeatMs;

    /// <param name="dialer">Runs the dials <see cref="PeerManager.Heard"/> and <see cref="PeerManager.RedialDown"/> start.</param>
    /// <param name="starvation">How long this node could not run lately: not counted as a peer's silence.</param>
    public MembershipService(PeerManager peers, Dialer dialer, ClusterOptions options, TimeProvider time, StarvationMeter? starvation = null)
    {
        _starvation = starvation;
        _peers = peers;
        _dialer = dialer;
        _heartbeatInterval = options.HeartbeatInterval;
        _failureTimeout = options.FailureTimeout;
        _time = time;
    }

    /// <summary>
    /// How often <see cref="Tick"/> should run: several times per failure timeout, so silence is
    /// noticed soon after the timeout, and at least once per heartbeat interval.
    /// </summary>
    public TimeSpan TickInterval => TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(_heartbeatInterval.TotalMilliseconds, _failureTimeout.TotalMilliseconds / 8), 10, 250));

    /// <summary>Failure detection, expiry, redials of lost members, and a heartbeat to every live peer when one is due.</summary>
    public void Tick()
    {
        // Silence this node or the whole host caused is not a peer's failure (see both classes).
        // Both are measured against the failure timeout as stretched for this mesh's size: at 256
        // members a peer may be silent 4 timeouts, and lateness capped at 3 unstretched ones gave
        // a host overloaded by a forming mesh less slack than a small mesh gets.
        int members = _peers.LiveCount + 1;
        var stretchedTimeout = _failureTimeout * HeartbeatStretch.For(members);
        long starved = _starvation?.StarvedWithin(stretchedTimeout) ?? 0;
        _peers.CheckSilence(_failureTimeout, Math.Max(starved, _lateness.LatenessMs(_heartbeatInterval, stretchedTimeout)));
        _peers.Expire();
        var redials = _peers.RedialDown();
        if (redials.Count > 0) _dialer.DialMembers(redials);
        long now = Timing.Clock.NowMs(_time);
        if (now < _nextHeartbeatMs) return;
        _nextHeartbeatMs = now + (long)_heartbeatInterval.TotalMilliseconds * HeartbeatStretch.For(members);
        _peers.Broadcast(NextHeartbeat(members));
    }

    /// <summary>
    /// A member came up (<see cref="PeerManager.PeerJoined"/>): it gets a heartbeat now, not at
    /// this node's next one. Until a peer has heard one it does not know how many members this
    /// node counts, so how far it stretches its heartbeats: a newcomer with a few peers gave a
    /// node of 150 members 3 s to send its first heartbeat, which came after up to 3 intervals,
    /// and marked it down (hundreds of times while 256 nodes formed a mesh on one host).
    /// </summary>
    public void OnPeerJoined(Guid peer) => _peers.ConnectionTo(peer)?.TrySend(NextHeartbeat(_peers.LiveCount + 1));

    private Heartbeat NextHeartbeat(int members) => new() { Sequence = Interlocked.Increment(ref _heartbeatSequence), Digest = _peers.Digest(), MemberCount = members };

    /// <summary>Heartbeat, MembersUpdate, Leave and Superseded from a member.</summary>
    public void OnPeerMessage(Guid peer, ClusterConnection connection, IClusterMessage message)
    {
        // The router hands over only messages of the entry's current connection.
        if (_peers.Find(peer) is not { } entry) return;
        switch (message)
        {
            case Heartbeat heartbeat:
                // A gap the sender stretched for its cluster's size is not lateness (HeartbeatStretch).
                int counted = Math.Clamp(heartbeat.MemberCount, 0, ProtocolLimits.MaxMembers);
                int stretch = HeartbeatStretch.For(Math.Max(entry.HeardMembers, counted));
                entry.HeardMembers = counted;
                if (entry.HeartbeatArrived(Timing.Clock.NowMs(_time)) is { } gap) _lateness.Add(gap - (stretch - 1) * (long)_heartbeatInterval.TotalMilliseconds);
                if (_peers.SyncFor(entry, heartbeat.Digest, heartbeat.MemberCount, _heartbeatInterval / 2) is { } sync) connection.TrySend(sync);
                break;
            case MembersUpdate update:
                if (update.Members is { Count: <= ProtocolLimits.MaxMembers } members) _dialer.Learn(members);
                else connection.Close(CloseReason.ProtocolError, "protocol error: member list too long");
                break;
            case Leave leave:
                _peers.Left(entry, connection, leave.Reason);
                break;
            case Superseded:
                _peers.Superseded(entry, connection);
                connection.Close(CloseReason.Superseded, "superseded by the other connection");
                break;
            default:
                connection.Close(CloseReason.ProtocolError, $"protocol error: unexpected {message.GetType().Name} from a member");
                break;
        }
    }
}
