using Iridium.Cluster.Connections;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Timing;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Membership;

/// <summary>
/// What keeps the member set true once peers are connected: the messages members exchange
/// (heartbeats, member lists, Leave, Superseded), heartbeats on a timer, failure detection,
/// anti-entropy through the digest, and forgetting down members after the retention period.
/// Application messages (<see cref="Data"/>, <see cref="Pong"/>, exec's) are handed to the node.
/// </summary>
internal sealed class MembershipService
{
    private readonly PeerManager _peers;
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeSpan _failureTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<IReadOnlyList<DialTicket>> _dial;
    private readonly Action<Guid, IClusterMessage> _deliver;
    private readonly Action<Guid, string> _lost;
    private readonly StarvationMeter? _starvation;
    private readonly HeartbeatLateness _lateness = new();
    private long _heartbeatSequence;
    private long _nextHeartbeatMs;

    /// <param name="dial">Runs the dials <see cref="PeerManager.Heard"/> started.</param>
    /// <param name="deliver">Takes application messages, on the read loop of the peer that sent them.</param>
    /// <param name="lost">Hears that a peer went down (its node id and why), after its connection has closed.</param>
    /// <param name="starvation">How long this node could not run lately: not counted as a peer's silence.</param>
    public MembershipService(PeerManager peers, ClusterOptions options, TimeProvider time, ILogger logger,
        Action<IReadOnlyList<DialTicket>> dial, Action<Guid, IClusterMessage> deliver, Action<Guid, string> lost, StarvationMeter? starvation = null)
    {
        _starvation = starvation;
        _peers = peers;
        _heartbeatInterval = options.HeartbeatInterval;
        _failureTimeout = options.FailureTimeout;
        _time = time;
        _logger = logger;
        _dial = dial;
        _deliver = deliver;
        _lost = lost;
    }

    /// <summary>
    /// How often <see cref="Tick"/> should run: several times per failure timeout, so silence is
    /// noticed soon after the timeout, and at least once per heartbeat interval.
    /// </summary>
    public TimeSpan TickInterval => TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(_heartbeatInterval.TotalMilliseconds, _failureTimeout.TotalMilliseconds / 8), 10, 250));

    /// <summary>The handler a peer's connection is started with.</summary>
    public IConnectionHandler LinkFor(PeerEntry entry) => new PeerLink(this, entry);

    /// <summary>Failure detection, expiry, redials of lost members, and a heartbeat to every live peer when one is due.</summary>
    public void Tick()
    {
        // Silence this node or the whole host caused is not a peer's failure (see both classes).
        long starved = _starvation?.StarvedWithin(_failureTimeout) ?? 0;
        _peers.CheckSilence(_failureTimeout, Math.Max(starved, _lateness.LatenessMs(_heartbeatInterval, _failureTimeout)));
        _peers.Expire();
        var redials = _peers.RedialDown();
        if (redials.Count > 0) _dial(redials);
        long now = Timing.Clock.NowMs(_time);
        if (now < _nextHeartbeatMs) return;
        _nextHeartbeatMs = now + (long)_heartbeatInterval.TotalMilliseconds;
        _peers.Broadcast(new Heartbeat { Sequence = ++_heartbeatSequence, Digest = _peers.Digest(), MemberCount = _peers.LiveCount + 1 });
    }

    /// <summary>Members learned from a HelloAck or a MembersUpdate: connect to the ones we lack.</summary>
    public void Learn(IReadOnlyList<MemberRecord?> members)
    {
        var dials = _peers.Heard(members);
        if (dials.Count > 0) _dial(dials);
    }

    private void OnMessage(PeerEntry entry, ClusterConnection connection, IClusterMessage message)
    {
        if (!ReferenceEquals(entry.Connection, connection)) return; // superseded or down: closing
        entry.Touch(Timing.Clock.NowMs(_time));
        switch (message)
        {
            case Data or Pong or IExecMessage:
                _deliver(entry.NodeId, message);
                break;
            case Heartbeat heartbeat:
                if (entry.HeartbeatArrived(Timing.Clock.NowMs(_time)) is { } gap) _lateness.Add(gap);
                if (_peers.SyncFor(entry, heartbeat.Digest, _heartbeatInterval / 2) is { } sync) connection.TrySend(sync);
                break;
            case MembersUpdate update:
                if (update.Members is { Count: <= ProtocolLimits.MaxMembers } members) Learn(members);
                else connection.Close(CloseReason.ProtocolError, "protocol error: member list too long");
                break;
            case Leave leave:
                _peers.Left(entry, connection, leave.Reason);
                break;
            case Superseded:
                _peers.Superseded(entry, connection);
                connection.Close(CloseReason.Superseded, "superseded by the other connection");
                break;
            case Ping ping:
                connection.TrySend(new Pong { Sequence = ping.Sequence, Timestamp = ping.Timestamp });
                break;
            default:
                connection.Close(CloseReason.ProtocolError, $"protocol error: unexpected {message.GetType().Name} from a member");
                break;
        }
    }

    private void OnClosed(PeerEntry entry, ClusterConnection connection, ConnectionClose close)
    {
        _peers.ConnectionClosed(entry, connection, close);
        // Closed because it lost a race (Switching) or was replaced: the node is still up.
        if (!entry.IsUp) _lost(entry.NodeId, close.Detail);
        if (close.IsFault) ClusterLog.BadConnection(_logger, connection.RemoteHost, UntrustedText.Escape(close.Detail));
    }

    /// <summary>A member's connection: every message it reads belongs to that member's entry.</summary>
    private sealed class PeerLink(MembershipService membership, PeerEntry entry) : IConnectionHandler
    {
        public void OnMessage(ClusterConnection connection, IClusterMessage message) => membership.OnMessage(entry, connection, message);

        public void OnClosed(ClusterConnection connection, ConnectionClose close) => membership.OnClosed(entry, connection, close);
    }
}
