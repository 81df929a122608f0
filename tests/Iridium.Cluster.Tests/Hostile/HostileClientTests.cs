using System.Net;
using System.Net.Sockets;
using Iridium.Cluster.Client;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Hostile;

/// <summary>
/// What one hostile client can take from a node, attacked with <see cref="HostileClient"/>: each
/// test asserts the bound (bytes a connection held, programs stopped, slots left, requests
/// refused). Loopback only; waits on conditions with generous deadlines.
/// </summary>
public class HostileClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Prints "started", then loops for ever without printing.</summary>
    private const string Silent = ".data\nmsg: .asciiz 'started'\n.code\nprts @msg\nload $0 #1\nload $1 #2\ntop: lt $0 $1\ndjmpe @top\n";

    /// <summary>Prints a 64-byte line for ever.</summary>
    private static readonly string Printer =
        ".data\nline: .asciiz '" + new string('x', 63) + "'\n.code\nload $0 #1\nload $1 #2\nload $3 #10\n" +
        "top: prts @line\nprtc $3\nlt $0 $1\ndjmpe @top\nhlt\n";

    private static async Task<(TestCluster Cluster, ClusterNode[] Nodes)> MeshAsync(int count, Action<ClusterOptions>? adjust = null)
    {
        var cluster = new TestCluster();
        var nodes = new ClusterNode[count];
        for (int i = 0; i < count; i++)
        {
            var options = TestCluster.Options(((char)('a' + i)).ToString());
            adjust?.Invoke(options);
            nodes[i] = await cluster.StartAsync(options);
            if (i > 0) Assert.True((await nodes[i].JoinAsync("127.0.0.1", nodes[0].AdvertisedPort)).Success);
        }
        await Eventually.True(() => TestCluster.Complete(nodes, count), Wait, $"full mesh of {count}");
        await Eventually.True(() => nodes.All(n => nodes.All(p => p == n || n.Exec.Understands(p.NodeId))), Wait, "exec announced");
        return (cluster, nodes);
    }

    private static int Programs(ClusterNode node) => node.Exec.Load.Running + node.Exec.Load.Queued;

    /// <summary>The node's side of the one client connection it serves.</summary>
    private static async Task<ClusterConnection> ServedAsync(ClusterNode node)
    {
        await Eventually.True(() => node.Clients.Connections.Count == 1, Wait, "the node serves the hostile client");
        return node.Clients.Connections[0];
    }

    // ---- a request id is unique per connection ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARepeatedRequestIdIsRefusedStartsNothingAndOrphansNothing(bool relayed)
    {
        var (cluster, nodes) = await MeshAsync(relayed ? 2 : 1);
        await using var _c = cluster;
        var runner = nodes[^1];
        var client = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort);
        var image = HostileClient.Assemble(Silent);
        await client.SendAsync(HostileClient.Exec(7, image, relayed ? "b" : "a"));
        await client.SendAsync(HostileClient.Exec(7, image, relayed ? "b" : "a"));

        ExecStarted? started = null;
        ExecExit? refused = null;
        while ((started is null || refused is null) && await client.ReadAsync() is { } message)
        {
            if (message is ExecStarted s) started = s;
            if (message is ExecExit e) refused = e;
        }
        Assert.NotNull(started);
        Assert.Equal(7, started.RequestId);
        Assert.NotNull(refused);
        Assert.Equal((7L, ExecOutcome.Refused), (refused.RequestId, refused.Outcome));
        Assert.Contains("request id 7 is already in use", refused.Message);
        Assert.Equal(1, Programs(runner));

        // The client goes away: its one program stops, and no other was left behind.
        await client.DisposeAsync();
        await Eventually.True(() => Programs(runner) == 0, Wait, "the program of the departed client stopped");
        Assert.Equal(0, runner.Processes.Count);
    }

    [Fact]
    public async Task ARequestIdIsFreeAgainOnceItsRequestHasEnded()
    {
        var (cluster, nodes) = await MeshAsync(1);
        await using var _c = cluster;
        await using var client = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort);
        var image = HostileClient.Assemble(".data\n.code\nhlt\n");
        for (int i = 0; i < 3; i++)
        {
            await client.SendAsync(HostileClient.Exec(1, image, "a"));
            var exit = await client.ReadUntilAsync<ExecExit>();
            Assert.NotNull(exit);
            Assert.True(exit.Outcome == ExecOutcome.Stopped, exit.Message);
        }
    }

    // ---- what a connection is owed and does not read is bounded in bytes ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreditGrantedButNeverReadClosesTheConnectionAtItsBoundAndStopsTheProgram(bool relayed)
    {
        var (cluster, nodes) = await MeshAsync(relayed ? 2 : 1);
        await using var _c = cluster;
        var runner = nodes[^1];
        await using var client = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort, receiveBufferBytes: 4096);
        await client.SendAsync(HostileClient.Exec(1, HostileClient.Assemble(Printer), relayed ? "b" : "a"));
        var served = await ServedAsync(nodes[0]);

        // The attack: grant 2 MiB every 5 ms, read nothing.
        var deadline = DateTime.UtcNow + Wait;
        while (served.Closing is null && DateTime.UtcNow < deadline)
        {
            if (!await client.TrySendRawAsync(client.Frame(new ExecCredit { RequestId = 1, Bytes = 2 << 20 }))) break;
            await Task.Delay(5);
        }
        await Eventually.True(() => served.Closing is not null, Wait, "the node closes the client that does not read");
        Assert.Equal(CloseReason.NotReading, served.Closing!.Reason);
        // What it held for the client: its base bound and the program's window, never more.
        long bound = TestCluster.Options("x").QueueBytesFor(member: false) + (1 << 20);
        Assert.InRange(served.PeakQueuedBytes, 1, bound);
        await Eventually.True(() => Programs(runner) == 0, Wait, "the program of the cut-off client stopped");
        if (relayed) Assert.InRange(runner.Peers.ConnectionTo(nodes[0].NodeId)?.PeakQueuedBytes ?? 0, 0, TestCluster.Options("x").QueueBytesFor(member: true));
    }

    // ---- answers to queries are produced only as fast as the asker reads ----

    [Fact]
    public async Task AMembersQueryFloodThatIsNeverReadIsAnsweredOnlyAsFastAsItIsReadThenCutOff()
    {
        var (cluster, nodes) = await MeshAsync(2, o => o.ClientIdleTimeout = TimeSpan.FromSeconds(2));
        await using var _c = cluster;
        await using var client = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort, receiveBufferBytes: 4096);
        var served = await ServedAsync(nodes[0]);
        var flood = client.FloodAsync(100_000, _ => new MembersQuery());
        // Answers pile up to half the bound; then the node stops reading the questions, which wait
        // in the asker's socket, and the idle asker is cut off.
        await Eventually.True(() => served.Closing is not null, Wait, "the node cuts off the asker that does not read");
        await flood;
        // Idle once its answers stop draining, or, when the socket's own bound on unacknowledged
        // data (TCP_USER_TIMEOUT, set with the keepalive) runs out first on a loaded machine,
        // the send times out: either way the node cut off the asker that does not read.
        var closing = served.Closing!;
        Assert.True(closing.Reason is CloseReason.Idle or CloseReason.NotReading
            || (closing.Reason == CloseReason.SendFailed && closing.Detail.Contains("timed out", StringComparison.Ordinal)), closing.ToString());
        long bound = TestCluster.Options("x").QueueBytesFor(member: false);
        Assert.InRange(served.PeakQueuedBytes, 1, bound / 2 + 64 * 1024);
        Assert.True(served.FramesReceived < 100_000, $"the node read {served.FramesReceived} questions it could not answer");
        await Eventually.True(() => nodes[0].Clients.Count == 0, Wait, "its slot is free again");
    }

    [Fact]
    public async Task AProcessQueryFloodThatIsNeverReadIsCutOffAndLeavesNothingBehind()
    {
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        await using var client = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort, receiveBufferBytes: 4096);
        var served = await ServedAsync(nodes[0]);
        await client.FloodAsync(100_000, i => new ProcessQuery { RequestId = i + 1 });
        await Eventually.True(() => served.Closing is not null, Wait, "the node cuts off the asker that does not read");
        Assert.Contains(served.Closing!.Reason, new[] { CloseReason.NotReading, CloseReason.ProtocolError });
        Assert.InRange(served.PeakQueuedBytes, 0, TestCluster.Options("x").QueueBytesFor(member: false));
        // Its requests are forgotten once its read loop has ended (just after the close).
        await Eventually.True(() => !nodes[0].Exec.Serves(served), Wait, "the node forgets the closed client's requests");
        // The member asked on the client's behalf answered at most what the open requests allowed.
        var options = TestCluster.Options("x");
        Assert.InRange(nodes[1].Peers.ConnectionTo(nodes[0].NodeId)?.PeakQueuedBytes ?? 0, 0, options.QueueBytesFor(member: true));
        // And the node still answers a legitimate `ps`.
        await using var ps = await ClusterClient.ConnectAsync("127.0.0.1", nodes[0].AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(10));
        Assert.NotNull(await ps.ProcessesAsync());
    }

    [Fact]
    public async Task ARepeatedPsRequestIdClosesTheConnection()
    {
        var (cluster, nodes) = await MeshAsync(1);
        await using var _c = cluster;
        await using var client = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort);
        // Request 5 stays open as long as its program runs (a ps may finish before a second one
        // is read, when no member is asked or one is lost under load: then 5 is free again).
        await client.SendAsync(HostileClient.Exec(5, HostileClient.Assemble(Silent), "a"));
        Assert.NotNull(await client.ReadUntilAsync<ExecStarted>());
        var served = await ServedAsync(nodes[0]);
        await client.FloodAsync(1, _ => new ProcessQuery { RequestId = 5 });
        await Eventually.True(() => served.Closing is not null, Wait, "the node closes the connection");
        Assert.Contains("request id 5 is already in use", served.Closing!.Detail);
    }

    // ---- client connections time out, die with their host, and are capped per address ----

    [Fact]
    public async Task AnIdleClientIsClosedButOneWithARunningProgramIsNot()
    {
        var (cluster, nodes) = await MeshAsync(1, o => o.ClientIdleTimeout = TimeSpan.FromSeconds(1));
        await using var _c = cluster;
        await using var busy = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort);
        await busy.SendAsync(HostileClient.Exec(1, HostileClient.Assemble(Silent), "a"));
        Assert.NotNull(await busy.ReadUntilAsync<ExecStarted>());
        var busyServed = await ServedAsync(nodes[0]);

        await using var idle = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort);
        Assert.True(await idle.ClosedByNodeAsync(), "the idle client was closed");
        await Eventually.True(() => nodes[0].Clients.Count == 1, Wait, "the idle client's slot is free");
        // The idle one went after about a second; the one whose program runs is still served.
        Assert.Null(busyServed.Closing);
        Assert.Equal(1, Programs(nodes[0]));
    }

    [Fact]
    public async Task AClientConnectionProbesForAVanishedHostWithinTheFailureTimeout()
    {
        var (cluster, nodes) = await MeshAsync(1);
        await using var _c = cluster;
        await using var client = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort);
        var socket = Assert.IsType<SocketTransport>((await ServedAsync(nodes[0])).Transport).Socket;
        Assert.NotEqual(0, (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        int idle = (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!;
        int interval = (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!;
        int probes = (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!;
        // A host that vanished is noticed after idle + probes * interval seconds: within the failure timeout (3 s here).
        Assert.InRange(idle + probes * interval, 1, 3);
        if (OperatingSystem.IsLinux())
        {
            var userTimeout = new byte[4];
            socket.GetRawSocketOption(6, 18, userTimeout);
            Assert.Equal(3000, BitConverter.ToInt32(userTimeout));
        }
    }

    [Fact]
    public async Task OneAddressCannotTakeEveryClientSlot()
    {
        var (cluster, nodes) = await MeshAsync(1, o =>
        {
            o.MaxClientConnections = 6;
            o.MaxClientConnectionsPerAddress = 3;
        });
        await using var _c = cluster;
        var attacker = IPAddress.Parse("127.0.0.3");
        var held = new List<HostileClient>();
        try
        {
            for (int i = 0; i < 3; i++) held.Add(await HostileClient.ConnectAsync(nodes[0].AdvertisedPort, attacker));
            var (extra, refusal) = await HostileClient.TryConnectAsync(nodes[0].AdvertisedPort, attacker);
            Assert.Null(extra);
            Assert.Contains("per address", refusal);
            // Another address still gets `members`.
            await using var members = await ClusterClient.ConnectAsync("127.0.0.1", nodes[0].AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(10));
            Assert.Single(await members.MembersAsync());
        }
        finally
        {
            foreach (var client in held) await client.DisposeAsync();
        }
    }

    // ---- a heap refusal says which limit ----

    [Theory]
    [InlineData(16 << 20, 64L << 20, "(--max-heap-bytes)")]
    [InlineData(64 << 20, 8L << 20, "(--max-total-heap-bytes)")]
    public async Task AHeapRefusalSaysWhichLimitToTheExecClient(int vmCap, long budget, string limit)
    {
        var (cluster, nodes) = await MeshAsync(1, o =>
        {
            o.Exec.MaxHeapBytes = vmCap;
            o.Exec.HeapBudget = new Iridium.Vm.HeapBudget(budget);
        });
        await using var _c = cluster;
        await using var client = await HostileClient.ConnectAsync(nodes[0].AdvertisedPort);
        await client.SendAsync(HostileClient.Exec(1, HostileClient.Assemble(".data\n.code\nload $0 #33554432\naloc $0\nhlt\n"), "a"));
        var exit = await client.ReadUntilAsync<ExecExit>();
        Assert.NotNull(exit);
        Assert.Equal(ExecOutcome.Crashed, exit.Outcome);
        Assert.StartsWith("fault HEAP at pc=", exit.Message);
        Assert.Contains(limit, exit.Message);
    }
}
