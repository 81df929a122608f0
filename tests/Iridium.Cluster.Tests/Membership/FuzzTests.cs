using System.Buffers.Binary;
using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Membership;

/// <summary>
/// Seeded bad input at a live node's port: random bytes, mutated handshake frames, hostile
/// lengths, and mutated frames after a real handshake. The node must keep its members and its
/// memory must stay bounded.
/// </summary>
public class FuzzTests
{
    [Fact]
    public async Task ALiveNodeSurvivesRandomAndMutatedFrames()
    {
        await using var cluster = new TestCluster();
        var target = await cluster.StartAsync(TestCluster.Options("target", heartbeatMs: 100, timeoutMs: 1500));
        var friend = await cluster.StartAsync(TestCluster.Options("friend", heartbeatMs: 100, timeoutMs: 1500));
        Assert.True((await friend.JoinAsync("127.0.0.1", target.AdvertisedPort)).Success);
        await Eventually.True(() => target.Members.Count == 2, TimeSpan.FromSeconds(5), "mesh");

        var random = new Random(20260521);
        var valid = new[]
        {
            FrameCodec.ToFrame(new Hello { ProtocolVersion = ProtocolLimits.Version, NodeId = Guid.NewGuid(), Alias = "fuzz", AdvertisedHost = "127.0.0.1", AdvertisedPort = 9, Nonce = new byte[32] }),
            FrameCodec.ToFrame(new Join { ProtocolVersion = ProtocolLimits.Version, NodeId = Guid.NewGuid(), Alias = "fuzz", AdvertisedPort = 9, Nonce = new byte[32], Role = ConnectionRole.Client }),
            FrameCodec.ToFrame(new HelloAck { Members = [new MemberRecord { NodeId = Guid.NewGuid(), Alias = "x", Host = "127.0.0.1", Port = 1 }] }),
            FrameCodec.ToFrame(new MembersUpdate { Members = [new MemberRecord { NodeId = Guid.NewGuid(), Alias = "x", Host = "127.0.0.1", Port = 1 }] }),
        };

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        for (int round = 0; round < 30; round++)
        {
            var sends = Enumerable.Range(0, 10).Select(_ => Payload(random, valid)).ToList();
            await Task.WhenAll(sends.Select(bytes => SendAndCloseAsync(target.AdvertisedPort, bytes)));
        }
        for (int i = 0; i < 10; i++) await AuthenticatedGarbageAsync(target, random, valid, $"fuzz-auth-{i}");

        await Eventually.True(() => TestCluster.Live(target) == 2 && TestCluster.Live(friend) == 2, TimeSpan.FromSeconds(5), "only the real members remain");
        await Task.Delay(300); // still serving heartbeats
        Assert.Equal(["friend", "target"], target.Members.Where(m => m.Status != MemberStatus.Down).Select(m => m.Alias));
        // The authenticated ones that sent garbage are down: their connection was closed for it.
        Assert.All(target.Members.Where(m => m.Alias.StartsWith("fuzz-auth-", StringComparison.Ordinal)), m => Assert.Equal(DownReason.ConnectionLost, m.Reason));
        Assert.Contains(cluster.Log.Lines, l => l.Contains("closed: protocol error") || l.Contains("refused connection"));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(after - before < 32 << 20, $"managed memory grew by {(after - before) >> 20} MiB");
    }

    private static byte[] Payload(Random random, byte[][] valid)
    {
        switch (random.Next(5))
        {
            case 0: // noise
                return RandomBytes(random, random.Next(1, 2048));
            case 1: // a valid frame with a few bytes flipped
            {
                var frame = (byte[])valid[random.Next(valid.Length)].Clone();
                for (int i = random.Next(1, 4); i > 0; i--) frame[random.Next(4, frame.Length)] ^= (byte)random.Next(1, 256);
                return frame;
            }
            case 2: // hostile length prefix
            {
                var frame = new byte[4 + random.Next(0, 64)];
                BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)random.Next(ProtocolLimits.HandshakeFrameBytes, int.MaxValue));
                return frame;
            }
            case 3: // truncated valid frame
            {
                var frame = valid[random.Next(valid.Length)];
                return frame[..random.Next(1, frame.Length)];
            }
            default: // valid frame, wrong place or right place, then noise
                return [.. valid[random.Next(valid.Length)], .. RandomBytes(random, random.Next(0, 64))];
        }
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task SendAndCloseAsync(int port, byte[] bytes)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        try
        {
            await socket.SendAsync(bytes);
            await Task.Delay(5);
        }
        catch (SocketException)
        {
            // The node hung up on us first: that is the point.
        }
    }

    /// <summary>Handshakes properly, then sends a mutated frame: the node must drop just that connection.</summary>
    private static async Task AuthenticatedGarbageAsync(ClusterNode node, Random random, byte[][] valid, string alias)
    {
        var transport = await SocketTransport.ConnectAsync("127.0.0.1", node.AdvertisedPort, TimeSpan.FromSeconds(5), CancellationToken.None);
        var connection = new ClusterConnection(transport, true, 1 << 20);
        var outcome = await Handshake.DialAsync(connection, new LocalIdentity(Guid.NewGuid(), alias, "127.0.0.1", 9), TestCluster.Cookie, false, ConnectionRole.Node, CancellationToken.None);
        Assert.True(outcome.Success, outcome.Message);
        var frame = random.Next(2) == 0 ? RandomBytes(random, 64) : (byte[])valid[random.Next(valid.Length)].Clone();
        frame[4] ^= 0x80; // break the union tag
        try
        {
            await transport.Output.WriteAsync(frame);
            await Task.Delay(20);
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
        {
        }
        connection.Close(CloseReason.Done, "done");
    }
}
