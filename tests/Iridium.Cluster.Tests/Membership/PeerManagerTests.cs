using Iridium.Cluster.Connections;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Cluster.Tests.Membership;

/// <summary>
/// The peer state machine of docs/cluster.md, transition by transition, with a fake clock and
/// in-memory connections: no sockets, no threads, no sleeps.
/// </summary>
public class PeerManagerTests
{
    private static readonly Guid SelfId = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new();
    private readonly TestLog _log = new();
    private readonly List<int> _counts = [];
    private readonly PeerManager _peers;

    public PeerManagerTests()
    {
        _peers = new PeerManager(new LocalIdentity(SelfId, "self", "127.0.0.1", 2254), Retention, _time, _log.CreateLogger("test"), jitter: () => 0);
        _peers.LiveCountChanged = _counts.Add;
    }

    /// <summary>A peer; unless its id is given, one this node dials as soon as it hears of it (<see cref="FirstDialer"/>).</summary>
    private static PeerIdentity Peer(string alias, Guid? id = null, int port = 3000) => new(id ?? IdThatDials(dialsUs: false, Guid.NewGuid()), alias, "127.0.0.1", port);

    private static MemberRecord Record(PeerIdentity peer) => new() { NodeId = peer.NodeId, Alias = peer.Alias, Host = peer.Host, Port = peer.Port };

    /// <summary>An in-memory connection dialed by <paramref name="dialer"/> with <paramref name="nonce"/> (which decides simultaneous-dial races).</summary>
    private static ClusterConnection Connection(Guid dialer, byte nonce = 1)
        => new(PipeTransport.CreatePair().Dialer, true, 1 << 20) { DialerId = dialer, DialerNonce = [nonce] };

    private PeerEntry Up(PeerIdentity peer, out ClusterConnection connection)
    {
        connection = Connection(peer.NodeId);
        var result = _peers.Connect(connection, peer, wantMembers: false);
        Assert.True(result.Accepted, result.Reason);
        return result.Entry!;
    }

    private MemberInfo? Listed(string alias)
    {
        var members = new List<MemberInfo>();
        _peers.AddListed(members);
        return members.SingleOrDefault(m => m.Alias == alias);
    }

    [Fact]
    public void AMemberHeardOfIsDialedOnceAndBacksOffAfterFailures()
    {
        var b = Peer("b");
        var ticket = Assert.Single(_peers.Heard([Record(b)]));
        Assert.Equal(PeerState.Dialing, ticket.Entry.State);
        Assert.Empty(_peers.Heard([Record(b)]));             // one dial at a time
        Assert.Null(Listed("b"));                            // never up: not listed

        _peers.DialEnded(ticket, "connection refused");
        Assert.Equal(PeerState.Disconnected, ticket.Entry.State);
        Assert.Equal("connection refused", ticket.Entry.LastFailure);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(_peers.Heard([Record(b)]));             // backing off: 1 s
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var second = Assert.Single(_peers.Heard([Record(b)]));
        _peers.DialEnded(second, "connection refused");
        Assert.Equal(_time.NowMsForTest() + 2000, second.Entry.RetryAtMs); // doubled
        Assert.Same(ticket.Entry, second.Entry);             // one entry per node id, always
    }

    [Fact]
    public void BackoffsAreStretchedByTheJitter()
    {
        var peers = new PeerManager(new LocalIdentity(SelfId, "self", "127.0.0.1", 2254), Retention, _time, _log.CreateLogger("test"), jitter: () => 1);
        var ticket = Assert.Single(peers.Heard([Record(Peer("b"))]));
        peers.DialEnded(ticket, "handshake did not finish within 2 s");
        Assert.Equal(_time.NowMsForTest() + 1500, ticket.Entry.RetryAtMs);
        var entry = Assert.Single(peers.Heard([Record(Peer("c"))])).Entry;
        var connection = Connection(entry.NodeId);
        Assert.True(peers.Connect(connection, entry.Identity, wantMembers: false).Accepted);
        peers.ConnectionClosed(entry, connection, new ConnectionClose(CloseReason.ClosedByPeer, "gone"));
        Assert.Equal(_time.NowMsForTest() + 1500, entry.RetryAtMs);   // the first redial too
    }

    /// <summary>
    /// <paramref name="like"/>, its last byte changed if need be, so that it is its turn
    /// (<paramref name="dialsUs"/>) or ours to dial first (<see cref="FirstDialer"/>).
    /// </summary>
    private static Guid IdThatDials(bool dialsUs, Guid? like = null)
    {
        byte[] bytes = (like ?? Guid.Parse("00000000-0000-0000-0000-000000000001")).ToByteArray();
        for (int flip = 0; ; flip++)
        {
            bytes[15] ^= (byte)flip;
            var id = new Guid(bytes);
            if (id != SelfId && id != Guid.Empty && FirstDialer.IsSelf(SelfId, id) != dialsUs) return id;
        }
    }

    [Fact]
    public void OfTwoNodesOneDialsAndTheOtherWaitsTheGraceFirst()
    {
        var first = Peer("first", IdThatDials(dialsUs: true));
        Assert.Empty(_peers.Heard([Record(first)]));             // its turn to dial us
        var entry = _peers.Find(first.NodeId)!;
        Assert.Equal(PeerState.Disconnected, entry.State);
        Assert.Null(Listed("first"));
        _time.Advance(PeerManager.DialerGrace - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_peers.Heard([Record(first)]));
        Assert.Empty(_peers.RedialDown());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Single(_peers.Heard([Record(first)]));            // it did not: dial it from here
        // The other kind is dialed at once, as before.
        Assert.Single(_peers.Heard([Record(Peer("second", IdThatDials(dialsUs: false)))]));
    }

    [Fact]
    public void ANodeThatHasNotDialedUsWithinTheGraceIsDialedWithoutBeingHeardOfAgain()
    {
        // Only the node a newcomer joined through announces it: the node whose turn it was may never hear of us.
        var first = Peer("first", IdThatDials(dialsUs: true));
        Assert.Empty(_peers.Heard([Record(first)]));
        _time.Advance(PeerManager.DialerGrace - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_peers.RedialDown());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var ticket = Assert.Single(_peers.RedialDown());
        Assert.Equal(first.NodeId, ticket.NodeId);
        Assert.Empty(_peers.RedialDown());                       // one dial at a time

        // Failed: from here on it is dialed when heard of again, like any node never reached.
        _peers.DialEnded(ticket, "handshake did not finish within 2 s");
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(_peers.RedialDown());
        Assert.Single(_peers.Heard([Record(first)]));
    }

    [Fact]
    public void ANodeThatDialsUsDuringTheGraceIsUpAtOnceAndNotDialedAfterIt()
    {
        var first = Peer("first", IdThatDials(dialsUs: true));
        Assert.Empty(_peers.Heard([Record(first)]));
        var entry = Up(first, out _);
        Assert.Equal(PeerState.Up, entry.State);
        Assert.Equal(0, entry.Failures);
        Assert.Equal([1], _counts);
        _time.Advance(PeerManager.DialerGrace * 2);
        Assert.Empty(_peers.RedialDown());
    }

    [Fact]
    public void ADialOvertakenWhileItWaitsItsTurnIsNoLongerWanted()
    {
        var b = Peer("b");
        var ticket = Assert.Single(_peers.Heard([Record(b)]));
        Assert.True(_peers.IsWanted(ticket));
        Up(b, out _);                                        // b dialed us first
        Assert.False(_peers.IsWanted(ticket));

        var c = Peer("c");
        var failed = Assert.Single(_peers.Heard([Record(c)]));
        _peers.DialEnded(failed, "connection refused");
        Assert.False(_peers.IsWanted(failed));               // spent
        _time.Advance(TimeSpan.FromSeconds(1));
        var next = Assert.Single(_peers.Heard([Record(c)]));
        Assert.False(_peers.IsWanted(failed));               // a later dial does not revive an old ticket
        Assert.True(_peers.IsWanted(next));
        _peers.Close();
        Assert.False(_peers.IsWanted(next));
    }

    [Fact]
    public void ADuplicateDialIsNoFailure()
    {
        var ticket = Assert.Single(_peers.Heard([Record(Peer("b"))]));
        _peers.DialEnded(ticket, failure: null);
        Assert.Equal(0, ticket.Entry.Failures);
        Assert.Single(_peers.Heard([Record(ticket.Entry.Identity)]));
    }

    [Fact]
    public void ConnectingMakesItLiveListedCountedAndPartOfTheDigest()
    {
        ulong alone = _peers.Digest();
        var b = Peer("b");
        var entry = Up(b, out var connection);
        Assert.Equal(PeerState.Up, entry.State);
        Assert.Same(connection, entry.Connection);
        Assert.Equal(MemberStatus.Up, Listed("b")!.Status);
        Assert.Equal([1], _counts);
        Assert.NotEqual(alone, _peers.Digest());
        Assert.Equal(PeerManager.DigestOf([SelfId, b.NodeId]), _peers.Digest());
        Assert.Equal(b.NodeId, _peers.LiveNodeNamed("b"));
        Assert.Same(connection, _peers.ConnectionTo(b.NodeId));
        Assert.True(_log.Contains($"node up: b {b.NodeId} 127.0.0.1:3000"));
    }

    [Fact]
    public void ALateDialResultDoesNotUndoAConnection()
    {
        var b = Peer("b");
        var ticket = Assert.Single(_peers.Heard([Record(b)]));
        var entry = Up(b, out _);                              // it dialed us meanwhile
        _peers.DialEnded(ticket, "handshake timed out");
        Assert.Equal(PeerState.Up, entry.State);
        Assert.Equal(0, entry.Failures);
    }

    [Theory]
    [InlineData((byte)CloseReason.ClosedByPeer, DownReason.ConnectionLost)]
    [InlineData((byte)CloseReason.ProtocolError, DownReason.ConnectionLost)]
    [InlineData((byte)CloseReason.ReceiveFailed, DownReason.ConnectionLost)]
    [InlineData((byte)CloseReason.NoHeartbeat, DownReason.NoHeartbeat)]
    [InlineData((byte)CloseReason.PeerLeft, DownReason.Left)]
    public void AClosedConnectionTakesItDownWithTheReason(byte closeReason, DownReason expected)
    {
        var close = (CloseReason)closeReason;
        ulong alone = _peers.Digest();
        var entry = Up(Peer("b"), out var connection);
        _time.Advance(TimeSpan.FromSeconds(5));
        _peers.ConnectionClosed(entry, connection, new ConnectionClose(close, "why"));
        Assert.Equal(PeerState.Disconnected, entry.State);
        Assert.Null(entry.Connection);
        Assert.Equal([1, 0], _counts);
        Assert.Equal(alone, _peers.Digest());                // down members never make digests differ
        _time.Advance(TimeSpan.FromMilliseconds(1234));
        var listed = Listed("b")!;
        Assert.Equal(MemberStatus.Down, listed.Status);
        Assert.Equal(expected, listed.Reason);
        Assert.Equal(1234, listed.DownSinceMs);
        Assert.Null(_peers.LiveNodeNamed("b"));
        Assert.True(_log.Contains("node down: b (why)"));
    }

    [Fact]
    public void ACloseOfAConnectionThatIsNotCurrentIsIgnored()
    {
        var b = Peer("b");
        var entry = Up(b, out var first);
        // A second connection that wins the race replaces the first.
        var winner = Connection(SelfId < b.NodeId ? SelfId : b.NodeId, nonce: 0);
        if (!winner.WinsOver(first)) winner = Connection(first.DialerId, nonce: 0);
        Assert.True(_peers.Connect(winner, b, wantMembers: false).Accepted);
        _peers.ConnectionClosed(entry, first, new ConnectionClose(CloseReason.Superseded, "superseded"));
        Assert.Equal(PeerState.Up, entry.State);
        Assert.Same(winner, entry.Connection);
        Assert.Equal([1], _counts);
    }

    [Fact]
    public void ALosingConnectionIsADuplicateAndAWinningOneReplacesTheCurrent()
    {
        var b = Peer("b");
        var entry = Up(b, out var current);
        var loser = Connection(current.DialerId, nonce: 2);
        Assert.Equal(RefuseCode.Duplicate, _peers.Connect(loser, b, wantMembers: false).Refusal);
        var winner = Connection(current.DialerId, nonce: 0);
        Assert.True(_peers.Connect(winner, b, wantMembers: false).Accepted);
        Assert.Same(winner, entry.Connection);
        Assert.Equal([1], _counts);                           // no second "node up"
    }

    [Fact]
    public void SupersededWaitsForTheWinnerAsSwitchingThenUpWithoutASecondNodeUp()
    {
        var b = Peer("b");
        var entry = Up(b, out var current);
        _peers.Superseded(entry, current);
        Assert.Equal(PeerState.Switching, entry.State);
        Assert.Null(entry.Connection);
        Assert.Equal(MemberStatus.Up, Listed("b")!.Status);   // still a member
        _peers.ConnectionClosed(entry, current, new ConnectionClose(CloseReason.Superseded, "superseded"));
        Assert.Equal(PeerState.Switching, entry.State);       // the superseded close is not news
        Assert.True(_peers.Connect(Connection(b.NodeId), b, wantMembers: false).Accepted);
        Assert.Equal(PeerState.Up, entry.State);
        Assert.Equal([1], _counts);
        Assert.Single(_log.Lines, l => l.Contains("node up: b", StringComparison.Ordinal));
    }

    [Fact]
    public void ASilentMemberGoesDownAfterTheTimeoutAndNotBefore()
    {
        var entry = Up(Peer("b"), out _);
        _time.Advance(TimeSpan.FromMilliseconds(3000));
        _peers.CheckSilence(TimeSpan.FromMilliseconds(3000));
        Assert.Equal(PeerState.Up, entry.State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _peers.CheckSilence(TimeSpan.FromMilliseconds(3000));
        Assert.Equal(DownReason.NoHeartbeat, Listed("b")!.Reason);
        Assert.True(_log.Contains("node down: b (no heartbeat for 3001 ms)"));
    }

    [Fact]
    public void APeerOfALargeClusterHasAsMuchLongerToBeSilentAsItStretchesItsHeartbeats()
    {
        // It counted 256 members: it heartbeats every 4 intervals, so its silence may last 4 timeouts.
        var entry = Up(Peer("b"), out _);
        entry.HeardMembers = 256;
        Assert.Equal(4, HeartbeatStretch.For(256));
        _time.Advance(TimeSpan.FromMilliseconds(4 * 3000));
        _peers.CheckSilence(TimeSpan.FromMilliseconds(3000));
        Assert.Equal(PeerState.Up, entry.State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _peers.CheckSilence(TimeSpan.FromMilliseconds(3000));
        Assert.Equal(DownReason.NoHeartbeat, Listed("b")!.Reason);

        // Up to 64 members nothing is stretched; one step per 64 beyond.
        Assert.Equal([1, 1, 2, 2, 3], new[] { 1, 64, 65, 128, 129 }.Select(HeartbeatStretch.For));
    }

    [Fact]
    public void TimeThisNodeWasStarvedIsNotCountedAsAPeersSilence()
    {
        var entry = Up(Peer("b"), out _);
        _time.Advance(TimeSpan.FromMilliseconds(4000));
        _peers.CheckSilence(TimeSpan.FromMilliseconds(3000), starvedMs: 1500);
        Assert.Equal(PeerState.Up, entry.State);                 // 4 s silent, but 1.5 s of it we could not read
        _peers.CheckSilence(TimeSpan.FromMilliseconds(3000), starvedMs: 999);
        Assert.Equal(DownReason.NoHeartbeat, Listed("b")!.Reason);
    }

    [Fact]
    public void TheDigestFollowsTheLiveSetThroughUpsAndDowns()
    {
        var b = Peer("b");
        var entry = Up(b, out var connection);
        ulong withB = _peers.Digest();
        Assert.Equal(withB, _peers.Digest());
        var c = Peer("c");
        Up(c, out _);
        Assert.Equal(PeerManager.DigestOf([SelfId, b.NodeId, c.NodeId]), _peers.Digest());
        _peers.ConnectionClosed(entry, connection, new ConnectionClose(CloseReason.ClosedByPeer, "gone"));
        Assert.Equal(PeerManager.DigestOf([SelfId, c.NodeId]), _peers.Digest());
    }

    [Fact]
    public void OnlyTheSideThatKnowsMoreSendsItsMemberListAndNotToEveryoneAtOnce()
    {
        var interval = TimeSpan.FromMilliseconds(500);
        var peers = Enumerable.Range(0, 12).Select(i => Up(Peer($"p{i}"), out _)).ToList();
        int ours = peers.Count + 1;
        Assert.Null(_peers.SyncFor(peers[0], _peers.Digest(), ours, interval));          // same set
        Assert.Null(_peers.SyncFor(peers[0], 42, ours + 1, interval));                  // it knows more: it sends, not us
        var sync = _peers.SyncFor(peers[0], 42, ours - 1, interval);
        Assert.Equal(ours, sync!.Members!.Count);                                       // us and our live peers
        Assert.Null(_peers.SyncFor(peers[0], 42, ours - 1, interval));                  // once per interval per peer
        // As many members but another set: the lower node id sends (this node's is the lowest here).
        Assert.NotNull(_peers.SyncFor(peers[1], 42, ours, interval));
        // At most SyncsPerInterval lists per interval in all.
        int sent = 2 + peers.Skip(2).Count(p => _peers.SyncFor(p, 42, 1, interval) is not null);
        Assert.Equal(PeerManager.SyncsPerInterval, sent);
        _time.Advance(interval);
        Assert.NotNull(_peers.SyncFor(peers[^1], 42, 1, interval));
    }

    [Fact]
    public void ADownMemberIsListedForTheRetentionPeriodThenForgotten()
    {
        var entry = Up(Peer("b"), out var connection);
        _peers.ConnectionClosed(entry, connection, new ConnectionClose(CloseReason.ClosedByPeer, "gone"));
        // Redials that fail do not extend the retention.
        for (int i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(11));
            foreach (var ticket in _peers.RedialDown()) _peers.DialEnded(ticket, "connection refused");
        }
        _time.Advance(Retention - TimeSpan.FromSeconds(55) - TimeSpan.FromMilliseconds(1));
        _peers.Expire();
        Assert.NotNull(Listed("b"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _peers.Expire();
        Assert.Null(Listed("b"));
        Assert.Null(_peers.Find(entry.NodeId));
    }

    [Fact]
    public void LostMembersAreRedialedWithBackoffButLeftOnesAreNot()
    {
        var lost = Up(Peer("lost"), out var lostConnection);
        var left = Up(Peer("left"), out var leftConnection);
        _peers.ConnectionClosed(lost, lostConnection, new ConnectionClose(CloseReason.ClosedByPeer, "gone"));
        _peers.Left(left, leftConnection, "shutdown");
        Assert.Empty(_peers.RedialDown());
        _time.Advance(TimeSpan.FromSeconds(1));
        var ticket = Assert.Single(_peers.RedialDown());
        Assert.Same(lost, ticket.Entry);
        Assert.Equal(MemberStatus.Down, Listed("lost")!.Status); // still down while dialing
        _peers.DialEnded(ticket, "connection refused");
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Empty(_peers.RedialDown());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Single(_peers.RedialDown());
    }

    [Fact]
    public void ARestartedNodeWithTheSameAliasReplacesItsDownEntry()
    {
        var old = Up(Peer("b"), out var connection);
        _peers.ConnectionClosed(old, connection, new ConnectionClose(CloseReason.ClosedByPeer, "killed"));
        var restarted = Peer("b");
        Assert.True(_peers.Connect(Connection(restarted.NodeId), restarted, wantMembers: false).Accepted);
        var listed = Listed("b")!;
        Assert.Equal(restarted.NodeId, listed.NodeId);
        Assert.Equal(MemberStatus.Up, listed.Status);
        Assert.Null(_peers.Find(old.NodeId));
        Assert.True(_log.Contains($"forgot down member b {old.NodeId}: node {restarted.NodeId} now uses its alias"));
    }

    [Fact]
    public void ALiveAliasIsRefusedToAnotherNodeAndToThisNodesOwn()
    {
        Up(Peer("b"), out _);
        var impostor = Peer("b");
        var refused = _peers.Connect(Connection(impostor.NodeId), impostor, wantMembers: false);
        Assert.Equal(RefuseCode.AliasTaken, refused.Refusal);
        Assert.Contains("already used by live node", refused.Reason);
        Assert.Equal(RefuseCode.AliasTaken, _peers.Connect(Connection(Guid.NewGuid()), Peer("self"), wantMembers: false).Refusal);
        Assert.Equal(RefuseCode.Self, _peers.Connect(Connection(SelfId), Peer("me", SelfId), wantMembers: false).Refusal);
    }

    [Fact]
    public void MemberListsAreCheckedBeforeAnythingIsDialed()
    {
        var live = Peer("live");
        Up(live, out _);
        MemberRecord?[] heard =
        [
            null,
            new MemberRecord { NodeId = Guid.NewGuid(), Alias = "evil\nalias", Host = "127.0.0.1", Port = 1 },
            new MemberRecord { NodeId = Guid.NewGuid(), Alias = "bidi\u202e", Host = "127.0.0.1", Port = 1 },
            new MemberRecord { NodeId = Guid.NewGuid(), Alias = "ok", Host = "bad host", Port = 1 },
            new MemberRecord { NodeId = Guid.NewGuid(), Alias = "ok", Host = "0.0.0.0", Port = 1 },
            new MemberRecord { NodeId = Guid.NewGuid(), Alias = "ok", Host = "127.0.0.1", Port = 0 },
            new MemberRecord { NodeId = SelfId, Alias = "self", Host = "127.0.0.1", Port = 1 },
            new MemberRecord { NodeId = Guid.NewGuid(), Alias = "live", Host = "127.0.0.1", Port = 1 }, // stale: "live" is held
            new MemberRecord { NodeId = IdThatDials(dialsUs: false, Guid.NewGuid()), Alias = "fine-1.x_y", Host = "127.0.0.1", Port = 9 },
        ];
        var ticket = Assert.Single(_peers.Heard(heard));
        Assert.Equal("fine-1.x_y", ticket.Entry.Alias);
    }

    [Fact]
    public void ALeaveReasonReachesTheLogEscaped()
    {
        var entry = Up(Peer("b"), out var connection);
        _peers.Left(entry, connection, "bye\n2026-01-01 node up: forged\u001b[31m\u202e");
        string line = Assert.Single(_log.Lines, l => l.Contains("node down: b", StringComparison.Ordinal));
        Assert.DoesNotContain(line, c => char.IsControl(c) || c == '\u202e');
        Assert.Contains(@"left: bye\u000A2026-01-01 node up: forged\u001B[31m\u202E", line);
    }

    [Fact]
    public void AfterCloseNothingIsRecordedOrReported()
    {
        var entry = Up(Peer("b"), out var connection);
        var connections = _peers.Close();
        Assert.Same(connection, Assert.Single(connections));
        _peers.ConnectionClosed(entry, connection, new ConnectionClose(CloseReason.ClosedByPeer, "x"));
        Assert.Equal([1], _counts);
        Assert.Equal(RefuseCode.ShuttingDown, _peers.Connect(Connection(Guid.NewGuid()), Peer("c"), wantMembers: false).Refusal);
        Assert.Empty(_peers.Heard([Record(Peer("d"))]));
    }
}

internal static class FakeClockExtensions
{
    public static long NowMsForTest(this FakeTimeProvider time) => Iridium.Cluster.Timing.Clock.NowMs(time);
}
