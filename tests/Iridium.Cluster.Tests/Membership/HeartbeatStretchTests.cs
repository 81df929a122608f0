using Iridium.Cluster.Connections;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Routing;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Timing;
using Iridium.Cluster.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Cluster.Tests.Membership;

/// <summary>
/// A node of more than 64 members heartbeats less often (docs/scale.md): its membership timer on a
/// fake clock, its peers in-memory connections that are never started, so what it sends them stays
/// queued and can be counted.
/// </summary>
public class HeartbeatStretchTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();
    private readonly TestLog _log = new();

    /// <summary>This node's peer manager and membership service, on the fake clock.</summary>
    private (PeerManager Peers, MembershipService Membership) Node(int timeoutMs)
    {
        var logger = _log.CreateLogger("test");
        var peers = new PeerManager(new LocalIdentity(Guid.NewGuid(), "self", "127.0.0.1", 2254), TimeSpan.FromMinutes(1), _time, logger, jitter: () => 0);
        var options = TestCluster.Options("self", heartbeatMs: (int)Interval.TotalMilliseconds, timeoutMs: timeoutMs);
        var dialer = new Dialer(options, peers, new PeerRouter(peers, _time, logger), new ConnectionTracker(), new StarvationMeter(_time), logger, CancellationToken.None);
        return (peers, new MembershipService(peers, dialer, options, _time));
    }

    /// <summary>Peer number <paramref name="i"/> comes up, on a connection never started: what is sent to it stays queued.</summary>
    private static ClusterConnection Join(PeerManager peers, int i)
    {
        var id = Guid.NewGuid();
        var connection = new ClusterConnection(PipeTransport.CreatePair().Dialer, true, 1 << 20) { DialerId = id, DialerNonce = [1] };
        Assert.True(peers.Connect(connection, new PeerIdentity(id, $"p{i}", "127.0.0.1", 3000 + i), wantMembers: false).Accepted);
        return connection;
    }

    [Fact]
    public void SixtyFiveMembersHeartbeatEveryOtherIntervalAndSixtyFourEveryInterval()
    {
        var (peers, membership) = Node(timeoutMs: 600_000);
        var connections = Enumerable.Range(0, 64).Select(i => Join(peers, i)).ToList();
        var watched = connections[0];

        // 65 members: one heartbeat now, none a second later, the next two seconds later.
        membership.Tick();
        long heartbeat = watched.QueuedBytes;
        Assert.True(heartbeat > 0);
        _time.Advance(Interval);
        membership.Tick();
        Assert.Equal(heartbeat, watched.QueuedBytes);
        _time.Advance(Interval);
        membership.Tick();
        Assert.Equal(2 * heartbeat, watched.QueuedBytes);

        // One leaves: 64 members. The heartbeat already planned two intervals on comes then, and
        // from there one every interval.
        var leaving = connections[^1];
        peers.Left(peers.Find(leaving.DialerId)!, leaving, "test");
        _time.Advance(Interval);
        membership.Tick();
        Assert.Equal(2 * heartbeat, watched.QueuedBytes);
        for (int beat = 3; beat <= 5; beat++)
        {
            _time.Advance(Interval);
            membership.Tick();
            Assert.Equal(beat * heartbeat, watched.QueuedBytes);
        }
    }

    [Fact]
    public void TheLatenessGrantedToLateHeartbeatsIsCappedByTheStretchedTimeout()
    {
        // 65 members: failure timeout 3 s stretched to 6 s. Every peer's heartbeats come 20 s
        // apart (a host overloaded by a forming mesh); one peer is silent throughout. Lateness is
        // granted up to 3 stretched timeouts (18 s), not 3 plain ones (9 s): silent for 20 s, the
        // peer is as late as the others and still up; silent 6 + 18 s, it is down.
        var (peers, membership) = Node(timeoutMs: 3000);
        var connections = Enumerable.Range(0, 64).Select(i => Join(peers, i)).ToList();
        var silent = peers.Find(connections[0].DialerId)!;
        void HeartbeatsFromAllBut(ClusterConnection except)
        {
            foreach (var connection in connections.Where(c => !ReferenceEquals(c, except)))
            {
                var entry = peers.Find(connection.DialerId)!;
                entry.Touch(_time.NowMsForTest());
                membership.OnPeerMessage(entry.NodeId, connection, new Iridium.Cluster.Protocol.Heartbeat { Sequence = 1, Digest = 0, MemberCount = 65 });
            }
        }

        HeartbeatsFromAllBut(connections[0]);
        _time.Advance(TimeSpan.FromSeconds(20));
        HeartbeatsFromAllBut(connections[0]);
        membership.Tick();
        Assert.Equal(PeerState.Up, silent.State);
        _time.Advance(TimeSpan.FromMilliseconds(4000));
        HeartbeatsFromAllBut(connections[0]);
        membership.Tick();
        Assert.Equal(PeerState.Up, silent.State);                // silent 24 s: the limit, not past it
        _time.Advance(TimeSpan.FromMilliseconds(1));
        membership.Tick();
        Assert.Equal(PeerState.Disconnected, silent.State);
        Assert.Equal(63, peers.LiveCount);
    }

    [Fact]
    public void AMemberThatComesUpGetsAHeartbeatAtOnce()
    {
        // Its first heartbeat tells the peer how many members this node counts, so how long its
        // heartbeats may be apart: it must not wait for this node's next one (up to 4 intervals).
        var (peers, membership) = Node(timeoutMs: 3000);
        peers.PeerJoined += membership.OnPeerJoined;

        var first = Join(peers, 0);
        long toFirst = first.QueuedBytes;
        Assert.True(toFirst > 0);                       // before any tick of the timer
        var second = Join(peers, 1);
        Assert.True(second.QueuedBytes > 0);
        Assert.Equal(toFirst, first.QueuedBytes);       // the others heard nothing of the newcomer
        long toSecond = second.QueuedBytes;
        membership.Tick();                              // the timer's heartbeat goes to both
        Assert.True(first.QueuedBytes > toFirst);
        Assert.True(second.QueuedBytes > toSecond);
    }
}
