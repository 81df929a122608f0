using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Timing;

namespace Iridium.Cluster.Membership;

/// <summary>
/// Everything this node knows about one other node, and the only place it is kept: where to reach
/// it, its state (<see cref="PeerState"/>), its one connection, the dial in flight, the last failure
/// and when to retry, and, once it has gone down, when and why. The transitions are the methods
/// below; each checks the state it starts from (a wrong one is a bug, not bad input) and they
/// follow the table in docs/cluster.md. Only <see cref="PeerManager"/> calls them, under its lock.
/// </summary>
internal sealed class PeerEntry
{
    private long _lastSeenMs;
    private long _lastHeartbeatMs;
    private int _heardMembers;
    private volatile ClusterConnection? _connection;

    public PeerEntry(PeerIdentity identity, long nowMs)
    {
        Identity = identity;
        State = PeerState.Disconnected;
        StateSinceMs = nowMs;
        _lastSeenMs = nowMs;
    }

    public Guid NodeId => Identity.NodeId;

    public PeerIdentity Identity { get; private set; }

    public string Alias => Identity.Alias;

    public PeerState State { get; private set; }

    public long StateSinceMs { get; private set; }

    /// <summary>The current connection (Up only). Read without the lock on the hot path.</summary>
    public ClusterConnection? Connection => _connection;

    public DialTicket? PendingDial { get; private set; }

    /// <summary>Dials that failed in a row (going down counts as one); reset by a connection.</summary>
    public int Failures { get; private set; }

    public string? LastFailure { get; private set; }

    /// <summary>No dial before this (ms on the node's clock).</summary>
    public long RetryAtMs { get; private set; }

    /// <summary>Set when a member that was up goes down; cleared when it is up again.</summary>
    public DownRecord? Down { get; private set; }

    /// <summary>When a frame from it last arrived (ms on the node's clock).</summary>
    public long LastSeenMs => Volatile.Read(ref _lastSeenMs);

    /// <summary>The members it counted in its last heartbeat (itself included; 0 before one): how far it stretches its heartbeats (<see cref="HeartbeatStretch"/>).</summary>
    public int HeardMembers
    {
        get => Volatile.Read(ref _heardMembers);
        set => Volatile.Write(ref _heardMembers, value);
    }

    /// <summary>When this node last sent it the member list (anti-entropy rate limit).</summary>
    public long LastSyncSentMs { get; set; }

    /// <summary>Up or Switching: a live member, counted in the digest and holding its alias.</summary>
    public bool IsUp => State is PeerState.Up or PeerState.Switching;

    /// <summary>Shown by `members`: live, or down and not yet past the retention period.</summary>
    public bool IsListed => IsUp || Down is not null;

    /// <summary>Heard of, its turn to dial us (<see cref="Defer"/>), and not dialed from here since.</summary>
    public bool AwaitsItsDial { get; private set; }

    /// <summary>
    /// Idle, its backoff over, and either down for a reason other than leaving (a partition that
    /// heals, a frozen process that resumes, while it is still retained) or a node that has not
    /// dialed us within the grace it had: worth dialing from here.
    /// </summary>
    public bool IsDueForRedial(long nowMs) => State == PeerState.Disconnected && nowMs >= RetryAtMs && (AwaitsItsDial || Down is { Reason: not DownReason.Left });

    public void Touch(long nowMs) => Volatile.Write(ref _lastSeenMs, nowMs);

    /// <summary>A heartbeat arrived (on its connection's read loop): the gap since the previous one, if there was one.</summary>
    public long? HeartbeatArrived(long nowMs)
    {
        long previous = Interlocked.Exchange(ref _lastHeartbeatMs, nowMs);
        return previous > 0 ? nowMs - previous : null;
    }

    public MemberRecord ToRecord() => new() { NodeId = NodeId, Alias = Alias, Host = Identity.Host, Port = Identity.Port };

    /// <summary>When it may be forgotten: the retention period after it went down (or, never up here, after its last change).</summary>
    public long ExpiresAtMs(TimeSpan retention) => (Down?.SinceMs ?? StateSinceMs) + (long)retention.TotalMilliseconds;

    /// <summary>
    /// Disconnected, never dialed: no dial before <paramref name="untilMs"/>. For a node the other
    /// side is to dial (<see cref="PeerManager.Heard"/>); if it has not by then, this side does.
    /// </summary>
    public void Defer(long untilMs)
    {
        Require(State == PeerState.Disconnected && Failures == 0 && Down is null, "defer a dial");
        RetryAtMs = untilMs;
        AwaitsItsDial = true;
    }

    /// <summary>Disconnected → Dialing.</summary>
    public DialTicket BeginDial(string host, int port, long nowMs)
    {
        Require(State == PeerState.Disconnected && nowMs >= RetryAtMs, "start a dial");
        PendingDial = new DialTicket(this, host, port);
        AwaitsItsDial = false;
        Move(PeerState.Dialing, nowMs);
        return PendingDial;
    }

    /// <summary>
    /// Dialing → Disconnected, when the dial of <paramref name="ticket"/> left no connection.
    /// <paramref name="failure"/> is null when that was not the node's fault (the other side kept
    /// another connection): no failure is counted and it may be dialed again at once.
    /// </summary>
    public void EndDial(DialTicket ticket, string? failure, long nowMs, Backoff backoff, double jitter)
    {
        Require(State == PeerState.Dialing && ReferenceEquals(PendingDial, ticket), "end a dial");
        PendingDial = null;
        if (failure is not null)
        {
            Failures++;
            LastFailure = failure;
            RetryAtMs = nowMs + (long)backoff.After(Failures, jitter).TotalMilliseconds;
        }
        Move(PeerState.Disconnected, nowMs);
    }

    /// <summary>Any state → Up with <paramref name="connection"/>. Returns the connection it replaces when it was Up already.</summary>
    public ClusterConnection? Connect(ClusterConnection connection, PeerIdentity identity, long nowMs)
    {
        var replaced = State == PeerState.Up ? _connection : null;
        Identity = identity;
        _connection = connection;
        PendingDial = null;
        AwaitsItsDial = false;
        Failures = 0;
        LastFailure = null;
        RetryAtMs = 0;
        Down = null;
        Touch(nowMs);
        if (State != PeerState.Up) Move(PeerState.Up, nowMs);
        return replaced;
    }

    /// <summary>Up → Switching: its connection was superseded; the winner is on its way.</summary>
    public void LoseRace(long nowMs)
    {
        Require(State == PeerState.Up, "lose a race");
        _connection = null;
        Move(PeerState.Switching, nowMs);
    }

    /// <summary>
    /// Up or Switching → Disconnected, remembering when and why. Returns the connection to close.
    /// The loss counts as the first failure: the first redial waits one backoff step (a node that
    /// just died refuses at once anyway), and each failed redial doubles the wait.
    /// </summary>
    public ClusterConnection? GoDown(DownReason reason, long nowMs, Backoff backoff, double jitter)
    {
        Require(IsUp, "go down");
        var connection = _connection;
        _connection = null;
        Down = new DownRecord(nowMs, reason);
        Failures = 1;
        RetryAtMs = nowMs + (long)backoff.After(Failures, jitter).TotalMilliseconds;
        Move(PeerState.Disconnected, nowMs);
        return connection;
    }

    private void Move(PeerState next, long nowMs)
    {
        State = next;
        StateSinceMs = nowMs;
    }

    private void Require(bool allowed, string what)
    {
        if (!allowed) throw new InvalidOperationException($"peer {Alias} {NodeId}: cannot {what} in state {State}");
    }
}
