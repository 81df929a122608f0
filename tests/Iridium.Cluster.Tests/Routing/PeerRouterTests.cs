using System.Collections.Concurrent;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Cluster.Tests.Routing;

/// <summary>
/// The router on an in-memory member connection: each message goes to the service of its tag
/// range and nowhere else, an unowned range is dropped and counted, a handshake message closes
/// the connection, and the member's loss reaches the subscribers of the peer manager.
/// </summary>
public class PeerRouterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();
    private readonly TestLog _log = new();
    private readonly PeerManager _peers;
    private readonly PeerRouter _router;

    public PeerRouterTests()
    {
        _peers = new PeerManager(new LocalIdentity(Guid.NewGuid(), "self", "127.0.0.1", 2254), TimeSpan.FromSeconds(60), _time, _log.CreateLogger("test"));
        _router = new PeerRouter(_peers, _time, _log.CreateLogger("test"));
    }

    private sealed class Recorder : IPeerService
    {
        public ConcurrentQueue<(Guid Peer, IClusterMessage Message)> Seen { get; } = new();

        public void OnPeerMessage(Guid peer, ClusterConnection connection, IClusterMessage message) => Seen.Enqueue((peer, message));
    }

    /// <summary>A member connected over pipes and started with the router's link; returns the far end to write frames on.</summary>
    private (Guid Peer, ClusterConnection Connection, PipeTransport Far) Member()
    {
        var (near, far) = PipeTransport.CreatePair();
        var id = Guid.NewGuid();
        var connection = new ClusterConnection(near, true, 1 << 20) { DialerId = id, DialerNonce = [1] };
        var result = _peers.Connect(connection, new PeerIdentity(id, "m" + id.ToString("N")[..6], "127.0.0.1", 3000), wantMembers: false);
        Assert.True(result.Accepted, result.Reason);
        connection.Start(_router.LinkFor(result.Entry!));
        return (id, connection, far);
    }

    private static async Task WriteAsync(PipeTransport far, IClusterMessage message)
    {
        await far.Output.WriteAsync(FrameCodec.ToFrame(message));
    }

    [Fact]
    public async Task EachMessageGoesToTheOwnerOfItsRangeAndUnownedOnesAreCounted()
    {
        var membership = new Recorder();
        var exec = new Recorder();
        _router.Register(TagRange.Membership, membership);
        _router.Register(TagRange.Exec, exec);
        var (peer, connection, far) = Member();

        await WriteAsync(far, new Heartbeat { Sequence = 1 });
        await WriteAsync(far, new ExecCancel { RequestId = 7 });
        await WriteAsync(far, new Ping { Sequence = 2 });      // client queries: nobody registered
        await WriteAsync(far, new ExecCredit { RequestId = 8, Bytes = 1 });
        await Eventually.True(() => exec.Seen.Count == 2, Wait, "both exec messages");

        var (from, heartbeat) = Assert.Single(membership.Seen);
        Assert.Equal(peer, from);
        Assert.IsType<Heartbeat>(heartbeat);
        Assert.Equal([typeof(ExecCancel), typeof(ExecCredit)], exec.Seen.Select(s => s.Message.GetType()));
        Assert.All(exec.Seen, s => Assert.Equal(peer, s.Peer));
        Assert.Equal(1, _router.Unrouted);
        Assert.Null(connection.Closing);
    }

    [Fact]
    public async Task AHandshakeMessageFromAMemberClosesItsConnectionAndTheLossIsHeardOnce()
    {
        var lost = new ConcurrentQueue<(Guid, string)>();
        _peers.PeerLost += (id, why) => lost.Enqueue((id, why));
        var (peer, connection, far) = Member();

        await WriteAsync(far, new Proof { Mac = [1] });
        await Eventually.True(() => !lost.IsEmpty, Wait, "the member lost");

        Assert.Equal(CloseReason.ProtocolError, connection.Closing!.Reason);
        var (id, why) = Assert.Single(lost);
        Assert.Equal(peer, id);
        Assert.Contains("unexpected Proof", why);
        Assert.False(_peers.Find(peer)!.IsUp);
    }

    [Fact]
    public void ARangeHasOneOwnerAndTheHandshakeNone()
    {
        _router.Register(TagRange.Exec, new Recorder());
        Assert.Throws<InvalidOperationException>(() => _router.Register(new TagRange(39, 41), new Recorder()));
        Assert.Throws<ArgumentException>(() => _router.Register(new TagRange(5, 12), new Recorder()));
        Assert.Throws<ArgumentException>(() => _router.Register(new TagRange(50, 45), new Recorder()));
        _router.Register(new TagRange(40, 49), new Recorder()); // the failed one took nothing
    }

    [Fact]
    public void EveryMessageTypeHasTheTagOfItsUnionDeclaration()
    {
        Assert.Equal(0, MessageTags.All[typeof(Hello)]);
        Assert.Equal(10, MessageTags.All[typeof(Heartbeat)]);
        Assert.Equal(24, MessageTags.All[typeof(Data)]);
        Assert.Equal(39, MessageTags.All[typeof(KillReply)]);
        Assert.Equal(MessageTags.All[typeof(ExecOutput)], MessageTags.All[typeof(OutputChunk)]);
        var messageTypes = typeof(IClusterMessage).Assembly.GetTypes()
            .Where(t => typeof(IClusterMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false });
        Assert.All(messageTypes, t => Assert.True(MessageTags.All.ContainsKey(t), t.Name));
    }
}
