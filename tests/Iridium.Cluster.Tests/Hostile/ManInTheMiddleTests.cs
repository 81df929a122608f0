using System.Net;
using System.Net.Sockets;
using System.Text;
using Iridium.Cluster.Client;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Hostile;

/// <summary>
/// A man in the middle (<see cref="TamperingProxy"/>) between a client and a node and between two
/// nodes: it reads nothing of what passes, and whatever it changes ends that connection, with
/// nothing run twice and the mesh healing by itself. Loopback only; waits on conditions.
/// </summary>
public class ManInTheMiddleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string Marker = "MARKER-e1c7b9d2";
    private static readonly byte[] MarkerBytes = Encoding.ASCII.GetBytes(Marker);

    /// <summary>Prints the marker and stops.</summary>
    private static readonly byte[] Once = HostileClient.Assemble($".data\nm: .asciiz '{Marker}'\n.code\nprts @m\nhlt\n");

    /// <summary>Prints the marker for ever: a stream the client keeps granting credit for.</summary>
    private static readonly byte[] ForEver = HostileClient.Assemble(
        $".data\nm: .asciiz '{Marker}'\n.code\nload $0 #1\nload $1 #2\ntop: prts @m\nlt $0 $1\ndjmpe @top\nhlt\n");

    private static async Task<(IReadOnlyList<ExecResult> Results, string Output)> ExecAsync(int port, string target, byte[] image)
    {
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", port, TestCluster.Cookie, TimeSpan.FromSeconds(10));
        var output = new StringBuilder();
        var results = await client.ExecAsync([target], new ExecSpec("marker.iasm", image, null, false),
            (_, _, bytes) =>
            {
                lock (output)
                {
                    if (output.Length < 4096) output.Append(Encoding.ASCII.GetString(bytes));
                }
            }, CancellationToken.None).WaitAsync(Wait);
        return (results, output.ToString());
    }

    private static int Programs(ClusterNode node) => node.Exec.Load.Running + node.Exec.Load.Queued;

    [Fact]
    public async Task ProgramOutputAndImagesNeverCrossTheWireInClearOnClientOrMeshConnections()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        await using var mesh = new TamperingProxy(a.AdvertisedPort);
        var b = await cluster.StartAsync(TestCluster.Options("b"));
        Assert.True((await b.JoinAsync("127.0.0.1", mesh.Port)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b], 2) && a.Exec.Understands(b.NodeId), Wait, "a and b meshed through the proxy");
        await using var front = new TamperingProxy(a.AdvertisedPort);

        var (results, output) = await ExecAsync(front.Port, "b", Once);

        Assert.Equal(ExecEnd.Stopped, Assert.Single(results).End);
        Assert.Contains(Marker, output);
        // The request (with the image, which holds the marker) went client -> a -> b, the output back.
        Assert.True(front.BytesSeen > Once.Length && mesh.BytesSeen > Once.Length, $"client link {front.BytesSeen} bytes, mesh link {mesh.BytesSeen}");
        Assert.False(front.Saw(MarkerBytes), "the marker crossed the client's connection in clear");
        Assert.False(mesh.Saw(MarkerBytes), "the marker crossed the mesh connection in clear");
        Assert.False(mesh.Saw("\"b\""u8.ToArray()) && mesh.Saw(Encoding.UTF8.GetBytes("marker.iasm")), "the program's name crossed in clear");
    }

    // Client -> node frames: 0 SecureHello (carrying the Join), 1 Proof, 2 ExecRequest, 3 and on ExecCredit.
    [Theory]
    [InlineData(Tampering.FlipBit, 2, false)]
    [InlineData(Tampering.Inject, 2, false)]
    [InlineData(Tampering.Replay, 2, true)]
    [InlineData(Tampering.FlipBit, 3, true)]
    [InlineData(Tampering.Drop, 3, true)]
    [InlineData(Tampering.Replay, 3, true)]
    public async Task ATamperedClientFrameEndsTheConnectionAndNothingRunsTwice(Tampering tampering, int frame, bool ranOnce)
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        // An injected frame: a well-formed exec request in plain text, as an attacker without the keys would write it.
        var injected = FrameCodec.ToFrame(HostileClient.Exec(7, ForEver, "a"));
        await using (var proxy = new TamperingProxy(a.AdvertisedPort, ProxyDirection.ToNode, frame, tampering, injected))
        {
            var (results, _) = await ExecAsync(proxy.Port, "a", ForEver);
            Assert.True(proxy.Tampered);
            Assert.NotEqual(ExecEnd.Stopped, Assert.Single(results).End);
        }
        await Eventually.True(() => Programs(a) == 0, Wait, "the program of the closed connection stopped");

        // The next program's id counts the programs the node started: the tampered session's one at most.
        var (after, output) = await ExecAsync(a.AdvertisedPort, "a", Once);
        Assert.Contains(Marker, output);
        Assert.Equal(ranOnce ? "a.2" : "a.1", Assert.Single(after).ProcessId);
    }

    // Node b -> node a frames: 0 SecureHello (carrying the Hello), 1 Proof, then heartbeats and load reports.
    [Theory]
    [InlineData(Tampering.FlipBit)]
    [InlineData(Tampering.Drop)]
    [InlineData(Tampering.Replay)]
    [InlineData(Tampering.Inject)]
    public async Task ATamperedMeshFrameEndsThatConnectionAndTheMeshHeals(Tampering tampering)
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        var injected = FrameCodec.ToFrame(new Leave { Reason = "a Leave the man in the middle made up" });
        await using var proxy = new TamperingProxy(a.AdvertisedPort, ProxyDirection.ToNode, 8, tampering, injected);
        var options = TestCluster.Options("b");
        options.Seeds.Add($"127.0.0.1:{proxy.Port}");
        var b = await cluster.StartAsync(options);
        await Eventually.True(() => proxy.Tampered, Wait, "the proxy tampered with a frame of the mesh");
        await Eventually.True(() => cluster.Log.Contains("does not authenticate"), Wait, "a closes the tampered connection and says why");
        await Eventually.True(() => TestCluster.Complete([a, b], 2) && TestCluster.Member(a, "b")?.Status == MemberStatus.Up, Wait, "the mesh heals");
        // The forged Leave never took effect as one: b was lost to a broken connection, not "left".
        Assert.DoesNotContain(cluster.Log.Lines, l => l.Contains("made up", StringComparison.Ordinal));
    }

    // Node b -> node a: a process on b sends 300 messages of 100 bytes at once, which b's writer
    // seals in batches of several (SealedBatch, up to 16 KiB); the man in the middle tampers with
    // the first frame of 2 KiB or more, which only a batch is here.
    [Theory]
    [InlineData(Tampering.FlipBit)]
    [InlineData(Tampering.Drop)]
    [InlineData(Tampering.Replay)]
    public async Task ATamperedBatchOfProcessMessagesEndsThatConnectionAndNothingArrivesTwiceOrOutOfOrder(Tampering tampering)
    {
        const int Messages = 300;
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        await using var proxy = new TamperingProxy(a.AdvertisedPort, ProxyDirection.ToNode, 0, tampering, atLeastBytes: 2048);
        var options = TestCluster.Options("b");
        options.Seeds.Add($"127.0.0.1:{proxy.Port}");
        var b = await cluster.StartAsync(options);
        await Eventually.True(() => TestCluster.Complete([a, b], 2) && a.Exec.Understands(b.NodeId), Wait, "a and b meshed through the proxy");

        // On a: prints '.' for each message whose number follows the last one's, 'X' for one that does not (again, or out of order).
        var (sink, sinkOutput) = Processes.CrossNodeTests.Start(a, """
            .data
            name:   .asciiz 'sink'
            .code
                    reg @name
                    load $7 #128
                    aloc $7
                    load $2 #0
                    load $10 #-1
                    load $13 #1
            next:   load $7 #-1
                    recv $9 $7 $2
                    loadm $2 $12
                    sub $12 $13 $14
                    eq $14 $10
                    djmpe @inorder
                    load $0 #88
                    prtc $0
                    load $1 @keep
                    jmp $1
            inorder: load $0 #46
                    prtc $0
            keep:   load $10 #0
                    add $12 $10 $10
                    load $1 @next
                    jmp $1
            """);
        await Eventually.True(() => a.Processes.Lookup("sink") is not null, Wait, "the sink registered");
        var (sender, _) = Processes.CrossNodeTests.Start(b, $$"""
            .data
            sink:   .asciiz 'sink@a'
            .code
                    where $1 @sink
                    load $7 #128
                    aloc $7
                    load $2 #0
                    load $3 #100
                    load $4 #0
                    load $5 #{{Messages}}
            again:  setm $2 $4
                    send $1 $2 $3
                    inc $4
                    lt $4 $5
                    djmpe @again
                    hlt
            """);
        Assert.True(await Task.Run(() => sender.Group.WaitForEnd(Wait)), "the sender ended");

        await Eventually.True(() => proxy.Tampered, Wait, "the proxy tampered with a batch");
        Assert.InRange(proxy.TamperedBytes, 2048, SealedBatch.MaxBytes + 64);
        await Eventually.True(() => cluster.Log.Contains("does not authenticate"), Wait, "a closes the tampered connection and says why");
        await Eventually.True(() => TestCluster.Complete([a, b], 2) && TestCluster.Member(a, "b")?.Status == MemberStatus.Up, Wait, "the mesh heals");

        a.Processes.Kill(sink.Serial);
        Assert.True(await Task.Run(() => sink.Group.WaitForEnd(Wait)), "the sink ended");
        string heard;
        lock (sinkOutput) heard = Encoding.ASCII.GetString(sinkOutput.ToArray());
        Assert.DoesNotContain('X', heard);
        // The tampered batch's messages never arrived (a replay: never twice), nor anything after it on that connection.
        Assert.InRange(heard.Length, 0, tampering == Tampering.Replay ? Messages : Messages - 1);
    }

    [Fact]
    public async Task AReplayedWholeSessionRunsNothing()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        byte[] recorded;
        await using (var proxy = new TamperingProxy(a.AdvertisedPort))
        {
            var (first, _) = await ExecAsync(proxy.Port, "a", Once);
            Assert.Equal("a.1", Assert.Single(first).ProcessId);
            recorded = proxy.FirstSessionToNode;
        }

        using (var replay = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await replay.ConnectAsync(new IPEndPoint(IPAddress.Loopback, a.AdvertisedPort));
            await replay.SendAsync(recorded, SocketFlags.None);
            // The node answers the replayed SecureHello with fresh keys, then fails the next frame and closes.
            var buffer = new byte[4096];
            using var deadline = new CancellationTokenSource(Wait);
            while (await replay.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
            {
            }
        }
        await Eventually.True(() => cluster.Log.Contains("does not authenticate"), Wait, "the node refuses the replayed session");

        var (second, _) = await ExecAsync(a.AdvertisedPort, "a", Once);
        Assert.Equal("a.2", Assert.Single(second).ProcessId);
    }

    [Fact]
    public async Task AWrongCookieIsRefusedBeforeAnyApplicationData()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        await using var proxy = new TamperingProxy(a.AdvertisedPort);
        var e = await Assert.ThrowsAsync<ClusterClientException>(() => ClusterClient.ConnectAsync("127.0.0.1", proxy.Port, "wrong"u8.ToArray(), TimeSpan.FromSeconds(10)));
        Assert.True(e.AuthenticationFailed, e.Message);
        // One frame each way: the SecureHello, and the Refuse.
        await Eventually.True(() => proxy.FramesSeen(0, ProxyDirection.FromNode) == 1, Wait, "the refusal passed the proxy");
        Assert.Equal(1, proxy.FramesSeen(0, ProxyDirection.ToNode));
    }
}
