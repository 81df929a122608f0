using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Iridium.Cluster.Client;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Connections;

/// <summary>
/// Admission under load: a connection pushed out of the handshake budget is told it was busy (and a
/// client retries), and a node runs only a few outgoing handshakes at once.
/// </summary>
public class BusyAndTurnsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task APushedOutConnectionIsToldTheNodeIsBusy()
    {
        await using var cluster = new TestCluster();
        var options = TestCluster.Options("target");
        options.MaxPendingPerAddress = 1;
        var target = await cluster.StartAsync(options);
        var source = IPAddress.Parse("127.0.0.5");
        using var first = await ConnectFromAsync(source, target.AdvertisedPort);
        await Eventually.True(() => target.PendingHandshakes == 1, Wait, "the first connection is held");
        using var second = await ConnectFromAsync(source, target.AdvertisedPort);

        var refusal = Assert.IsType<Refuse>(await ReadFrameAsync(first));
        Assert.Equal(RefuseCode.Busy, refusal.Code);
        Assert.Contains("busy: too many connections from 127.0.0.5", refusal.Reason);
        Assert.Contains("try again", refusal.Reason);
    }

    [Fact]
    public async Task UnderAFloodFromItsOwnAddressAClientIsRetriedUntilItGetsIn()
    {
        await using var cluster = new TestCluster();
        var options = TestCluster.Options("target");
        options.MaxPendingPerAddress = 8;
        options.HandshakeTimeout = TimeSpan.FromSeconds(2);
        var target = await cluster.StartAsync(options);

        // The flood cannot pass the encrypted handshake (it has no cookie): it sends a plain Hello,
        // is refused at once and comes back, so the address's share is always full of its newest
        // connections and every new one pushes out the oldest silent one. The client's, keyed
        // by its first Noise message, must not be the one pushed out (and when it is, before its
        // first message is read, it is told busy and tries again).
        byte[] hello = FrameCodec.ToFrame(new Hello
        {
            ProtocolVersion = ProtocolLimits.Version,
            NodeId = Guid.NewGuid(),
            Alias = "flood",
            AdvertisedHost = "127.0.0.1",
            AdvertisedPort = 1,
            Nonce = new byte[16],
            Role = ConnectionRole.Client,
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var flood = StallFlood.RunAsync(target.AdvertisedPort, concurrent: 64, stop.Token, IPAddress.Loopback, hello);
        await Eventually.True(() => target.PendingHandshakes >= options.MaxPendingPerAddress, Wait, "the flood holds the address's share");

        var failures = new List<string>();
        int answered = 0;
        for (int i = 0; i < 10; i++)
        {
            try
            {
                await using var client = await ClusterClient.ConnectAsync("127.0.0.1", target.AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(15));
                if ((await client.MembersAsync()).Count == 1) answered++;
            }
            catch (ClusterClientException e)
            {
                failures.Add(e.Message);
            }
        }
        await stop.CancelAsync();
        long opened = await flood;
        output.WriteLine($"flood: {opened} connections from 127.0.0.1; answered {answered}/10");
        Assert.True(answered == 10, $"{answered} of 10 answered; failures: {string.Join("; ", failures)}");
        Assert.True(opened > options.MaxPendingPerAddress, $"the flood opened only {opened} connections");
    }

    [Fact]
    public async Task ANodeRunsOnlyItsTurnsOfOutgoingHandshakesAtOnce()
    {
        await using var cluster = new TestCluster();
        var options = TestCluster.Options("dialer");
        options.MaxConcurrentDials = 2;
        options.HandshakeTimeout = TimeSpan.FromSeconds(10);
        var node = await cluster.StartAsync(options);

        // Six members that all live behind a port that accepts and never answers.
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        int port = ((IPEndPoint)blackHole.LocalEndpoint).Port;
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await blackHole.AcceptSocketAsync(stop.Token);
                lock (accepted) accepted.Add(socket);
            }
        });
        int Accepted()
        {
            lock (accepted) return accepted.Count;
        }

        var (peer, outcome) = await RawPeer.ConnectAsync(node, "teller");
        Assert.True(outcome.Success, outcome.Message);
        // Ids the node dials as soon as it hears of them (the others it would leave to dial it first).
        var members = Enumerable.Range(1, 100)
            .Select(i => Guid.Parse($"ffffffff-ffff-ffff-ffff-{i:x12}"))
            .Where(id => Iridium.Cluster.Membership.FirstDialer.IsSelf(options.NodeId, id))
            .Take(6)
            .Select((id, i) => new MemberRecord { NodeId = id, Alias = $"m{i + 1}", Host = "127.0.0.1", Port = port })
            .ToList();
        await peer.WriteAsync(new MembersUpdate { Members = members }, CancellationToken.None);

        await Eventually.True(() => Accepted() == 2, Wait, "two handshakes start");
        // The others wait their turn while the two are in flight (10 s deadline): give them time to show up if they would.
        await Task.Delay(1000);
        Assert.Equal(2, Accepted());
        Assert.Equal(6, members.Count(m => node.Peers.Find(m.NodeId)?.State == Iridium.Cluster.Membership.PeerState.Dialing));

        // The member hangs up: each ended handshake lets the next one start.
        for (int turn = 0; turn < 2; turn++)
        {
            int before = Accepted();
            lock (accepted)
            {
                foreach (var socket in accepted) socket.Dispose();
            }
            await Eventually.True(() => Accepted() >= Math.Min(6, before + 2), Wait, $"the next turns (after {before})");
        }
        await stop.CancelAsync();
        lock (accepted)
        {
            foreach (var socket in accepted) socket.Dispose();
        }
        peer.Close(CloseReason.Done, "test over");
        Assert.Equal(6, Accepted());
    }

    private static async Task<Socket> ConnectFromAsync(IPAddress source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    /// <summary>The first frame the node sends on <paramref name="socket"/>, read until it is whole or the node closes.</summary>
    private static async Task<IClusterMessage?> ReadFrameAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Wait);
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(received.ToArray());
            if (FrameCodec.TryReadFrame(ref sequence, 1 << 16, out var payload)) return FrameCodec.Decode(payload);
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            if (n == 0) return null;
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    [Fact]
    public async Task TheDialerWaitsLongerThanTheAcceptorsDeadline()
    {
        // The acceptor decides how a handshake ends (admitted, or busy once its deadline passes):
        // a dialer that gave up at the same moment threw away handshakes the acceptor had just admitted.
        var options = TestCluster.Options("dialer");
        options.HandshakeTimeout = TimeSpan.FromSeconds(1);
        var log = new TestLog();
        var logger = log.CreateLogger("test");
        var peers = new Iridium.Cluster.Membership.PeerManager(new LocalIdentity(options.NodeId, "dialer", "127.0.0.1", 1), TimeSpan.FromMinutes(1), TimeProvider.System, logger);
        var dialer = new Dialer(options, peers, new Iridium.Cluster.Routing.PeerRouter(peers, TimeProvider.System, logger), new ConnectionTracker(),
            new Iridium.Cluster.Timing.StarvationMeter(TimeProvider.System), logger, CancellationToken.None);
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);   // accepts (the backlog) and never answers
        blackHole.Start();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var outcome = await dialer.DialAsync("127.0.0.1", ((IPEndPoint)blackHole.LocalEndpoint).Port, wantMembers: false, CancellationToken.None);
        Assert.False(outcome.Success);
        Assert.Contains("did not finish within", outcome.Message);
        Assert.True(watch.Elapsed >= Dialer.Patience * options.HandshakeTimeout - TimeSpan.FromMilliseconds(50), $"gave up after {watch.Elapsed}");
    }
}
