using System.Collections.Concurrent;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Processes;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Processes;

/// <summary>
/// A member that sends process messages it should not: for processes that do not exist, over
/// the message limit, answers nobody asked for, images that do not match their hash, a flood into
/// one mailbox. Each is dropped and counted, the node answers what deserves an answer, and the
/// connection stays up (none of it is malformed framing).
/// </summary>
public class HostileProcessMessagesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private sealed class Collector : IConnectionHandler
    {
        public ConcurrentQueue<IClusterMessage> Received { get; } = new();

        public void OnMessage(ClusterConnection connection, IClusterMessage message) => Received.Enqueue(message);

        public void OnClosed(ClusterConnection connection, ConnectionClose close)
        {
        }
    }

    [Fact]
    public async Task BadProcessMessagesFromAMemberAreDroppedAndCountedAndTheConnectionStays()
    {
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("target"));
        var (connection, outcome) = await RawPeer.ConnectAsync(node, "hostile");
        Assert.True(outcome.Success, outcome.Message);
        var collector = new Collector();
        connection.Start(collector);
        var drops = node.ProcessNetwork.Drops;

        // A process that never reads its mailbox (it computes until killed): the flood's target.
        var (sink, _) = CrossNodeTests.Start(node, """
                    load $1 @spin
            spin:   jmp $1
            """);

        connection.TrySend(new RemoteSend { From = 1, To = 999_999, Payload = [1] });
        connection.TrySend(new RemoteSend { From = 1, To = sink.Serial, Payload = new byte[Iridium.Vm.ProcessLimits.DefaultMaxMessageBytes + 1] });
        connection.TrySend(new RemoteSend { From = 1, To = sink.Serial, Payload = null });
        connection.TrySend(new RemoteDown { Watcher = 1, Target = 2, Reason = 4 });
        connection.TrySend(new RemoteSpawnReply { RequestId = 42, Outcome = SpawnOutcome.Started, Child = 5 });
        connection.TrySend(new RemoteWhereReply { RequestId = 43, Found = true, Serial = 5 });
        connection.TrySend(new RemoteSpawn { RequestId = 1, ImageHash = new byte[32], Image = [1, 2, 3, 4] });   // hash does not match
        connection.TrySend(new RemoteSpawn { RequestId = 2, ImageHash = new byte[5] });                           // not a hash
        connection.TrySend(new RemoteSpawn { RequestId = 3, ImageHash = new byte[32] });                          // an image it never sent
        connection.TrySend(new RemoteMonitor { Watcher = 1, Target = 999_999 });                                 // no such process: reason 5
        connection.TrySend(new RemoteOutput { To = 999_999, Bytes = [0x68, 0x69, 0x0a] });

        await Eventually.True(() => collector.Received.OfType<RemoteSpawnReply>().Count() == 3 && collector.Received.OfType<RemoteDown>().Any(), Wait, "the answers");
        // The output comes last: everything before it on the connection has been read.
        await Eventually.True(() => drops[ProcessDrop.NoSuchProcess] == 2, Wait, "the output for no process dropped");
        Assert.Equal(2, drops[ProcessDrop.NoSuchProcess]);
        Assert.Equal(2, drops[ProcessDrop.Oversized]);
        Assert.Equal(3, drops[ProcessDrop.Unasked]);
        Assert.Equal(2, drops[ProcessDrop.Malformed]);
        var replies = collector.Received.OfType<RemoteSpawnReply>().OrderBy(r => r.RequestId).ToList();
        Assert.Equal([SpawnOutcome.Refused, SpawnOutcome.Refused, SpawnOutcome.ImageWanted], replies.Select(r => r.Outcome));
        var down = Assert.Single(collector.Received.OfType<RemoteDown>());
        Assert.Equal((byte)Iridium.Vm.DownReason.NoSuchProcess, down.Reason);
        Assert.Equal(0, node.ProcessNetwork.Images.Count);

        // A flood into one mailbox: bounded by the mailbox, the rest dropped and counted.
        int flood = Iridium.Vm.ProcessLimits.DefaultMailboxMessages + 500;
        for (int i = 0; i < flood; i++) connection.TrySend(new RemoteSend { From = 1, To = sink.Serial, Payload = [1, 2, 3, 4] });
        await Eventually.True(() => drops[ProcessDrop.MailboxFull] == 500, Wait, "the flood's excess dropped");
        Assert.Equal(Iridium.Vm.ProcessLimits.DefaultMailboxMessages, sink.MailboxLength);
        Assert.Equal(500, sink.Dropped);

        Assert.Null(connection.Closing);
        Assert.Equal(2, node.Members.Count(m => m.Status != MemberStatus.Down));
        node.Processes.Kill(sink.Serial);
        connection.Close(CloseReason.Done, "done");
    }

    [Fact]
    public async Task ProcessMessagesFromAClientAreNeverDelivered()
    {
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("target"));
        var (sink, _) = CrossNodeTests.Start(node, """
                    load $7 #-1
                    load $8 #0
                    recv $2 $7 $8
                    hlt
            """);
        await using var client = await Hostile.HostileClient.ConnectAsync(node.AdvertisedPort);
        await client.SendAsync(new RemoteSend { From = 1, To = sink.Serial, Payload = [1] });
        // The client's next question is answered after the process message was read (one read loop, in order).
        await client.SendAsync(new Ping { Sequence = 7 });
        Assert.NotNull(await client.ReadUntilAsync<Pong>());
        Assert.Equal(0, sink.MailboxLength);
        Assert.Equal(0, node.ProcessNetwork.Drops.Total);
        node.Processes.Kill(sink.Serial);
    }
}
