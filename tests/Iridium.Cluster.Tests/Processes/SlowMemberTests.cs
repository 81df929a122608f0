using Iridium.Cluster.Connections;
using Iridium.Cluster.Processes;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Crypto;

namespace Iridium.Cluster.Tests.Processes;

/// <summary>
/// A member that stops reading: what its processes are sent piles up in this node only to the
/// process traffic's share of the connection (<see cref="ProcessService.QueueBytes"/>); past it
/// every SEND to it is refused at once (eq = false, counted), nothing waits, nothing grows, and
/// the connection is not cut off for it.
/// </summary>
public class SlowMemberTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Sends 60,000 bytes at a time to its parent (handle 1) until 100 SENDs were refused, then halts.</summary>
    private const string Flood = """
                load $7 #60000
                aloc $7
                load $1 #1
                load $2 #0
                load $3 #60000
                load $4 #0
                load $5 #100
        again:  send $1 $2 $3
                djmpe @again
                inc $4
                lt $4 $5
                djmpe @again
                hlt
        """;

    /// <summary>The first instruction's address: after the 64-byte header, the ro length and no ro data (docs/reference/image-format.md).</summary>
    private const int CodeStart = 68;

    [Fact]
    public async Task SendsToAMemberThatStopsReadingAreRefusedOnceItsShareIsQueuedAndNothingGrowsPastIt()
    {
        await using var cluster = new TestCluster();
        // The member sends no heartbeats either: a long failure timeout keeps it up for the test.
        var node = await cluster.StartAsync(TestCluster.Options("target", timeoutMs: 300_000));
        var slowId = Guid.NewGuid();
        var (connection, outcome) = await RawPeer.ConnectAsync(node, "slow", slowId);
        Assert.True(outcome.Success, outcome.Message);

        // From here the member reads nothing (its loops never start); it writes its one frame by hand:
        // a child on the node whose parent (handle 1) is the member's process 1.
        byte[] image = CrossNodeTests.Assemble(Flood);
        using (var deadline = new CancellationTokenSource(Wait))
            await connection.WriteAsync(new RemoteSpawn { RequestId = 1, Parent = 1, ImageHash = Sha256.Hash(image), Image = image, Pc = CodeStart }, deadline.Token);

        var drops = node.ProcessNetwork.Drops;
        await Eventually.True(() => drops[ProcessDrop.QueueFull] >= 100, Wait, "SENDs to the member that does not read are refused");
        // Refused, not held: the process counted its refusals and halted by itself.
        await Eventually.True(() => node.Processes.Count == 0, Wait, "the flooding process halted");
        var toSlow = node.Peers.ConnectionTo(slowId);
        Assert.NotNull(toSlow);
        Assert.Null(toSlow!.Closing);
        // What piled up reached the share, and never went past it by more than a message.
        Assert.InRange(toSlow.PeakQueuedBytes, ProcessService.QueueBytes - 2 * 60_000, ProcessService.QueueBytes + 64 * 1024);
        Assert.Equal(100, drops[ProcessDrop.QueueFull]);
        connection.Close(CloseReason.Done, "done");
    }
}
