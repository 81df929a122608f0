using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Hostile;

/// <summary>The tests that measure this process's memory run alone: any other test's allocations would blur it.</summary>
[CollectionDefinition(nameof(ProcessMemory), DisableParallelization = true)]
public sealed class ProcessMemory;

/// <summary>
/// What a flood of unread MembersQuery answers leaves behind once the flooders are cut off: the
/// queues held no more than their bound, and the memory comes back.
/// </summary>
[Collection(nameof(ProcessMemory))]
public class OutboxMemoryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static long Committed() => GC.GetGCMemoryInfo().TotalCommittedBytes;

    [Fact]
    public async Task EightMembersQueryFloodsThatAreNeverReadGiveTheirMemoryBackOnceCutOff()
    {
        var cluster = new TestCluster();
        await using var _c = cluster;
        // A failure timeout far longer than the flood: the socket option it sets (TCP_USER_TIMEOUT)
        // would cut a flooder whose window stays shut before its answers pile up (answers are
        // written on the reading thread, so the pile grows only once the socket is full).
        var options = TestCluster.Options("a", timeoutMs: 60_000);
        // Long enough that a loaded machine reads every flooder up to its pause before any is idle.
        options.ClientIdleTimeout = TimeSpan.FromSeconds(10);
        var node = await cluster.StartAsync(options);
        var clients = new List<HostileClient>();
        try
        {
            for (int i = 0; i < 8; i++) clients.Add(await HostileClient.ConnectAsync(node.AdvertisedPort, receiveBufferBytes: 4096));
            await Eventually.True(() => node.Clients.Connections.Count == 8, Wait, "the node serves the eight flooders");
            var served = node.Clients.Connections;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            long idle = Committed();
            long reclaims = OutboxMemory.Reclaims;

            await Task.WhenAll(clients.Select(c => Task.Run(() => c.FloodAsync(100_000, _ => new MembersQuery()))));
            await Eventually.True(() => served.All(c => c.Closing is not null), Wait, "the node cuts off every flooder");
            await Eventually.True(() => node.Clients.Count == 0, Wait, "their slots are free again");

            // Each queue held at most half its bound before the node stopped reading; between them, enough to reclaim.
            long bound = options.QueueBytesFor(member: false);
            string peaks = string.Join(", ", served.Select(c => $"peak {c.PeakQueuedBytes} B after {c.FramesReceived} questions ({c.Closing})"));
            Assert.All(served, c => Assert.InRange(c.PeakQueuedBytes, 0, bound / 2 + 64 * 1024));
            Assert.True(served.Where(c => c.PeakQueuedBytes >= OutboxMemory.HighWaterBytes).Sum(c => c.PeakQueuedBytes) >= OutboxMemory.ReclaimThresholdBytes,
                $"the flood filled too little to test the reclaim: {peaks}");
            // Between them they held more than the reclaim threshold: once emptied, a collection
            // gives it back (without it, ~80 MiB stayed committed in the oldest generation).
            await Eventually.True(() => OutboxMemory.Reclaims > reclaims, Wait, "the emptied queues are reclaimed");
            await Eventually.True(() => Committed() <= idle + (16 << 20), Wait,
                $"committed memory back within 16 MiB of the {idle >> 20} MiB before the flood");
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }
}
