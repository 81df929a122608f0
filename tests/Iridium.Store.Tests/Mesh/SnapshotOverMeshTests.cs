using System.Text;
using Iridium.Cluster;
using Iridium.Store.Mesh;
using Iridium.Store.Model;
using Iridium.Store.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iridium.Store.Tests.Mesh;

/// <summary>
/// Three voters on three cluster nodes in this process, their Raft calls over the real mesh
/// (authenticated TCP on loopback, frames capped at 1 MiB), as on `iridium node`.
/// </summary>
public sealed class SnapshotOverMeshTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private const int FrameCap = 1 << 20;

    [Fact]
    public async Task A_voter_that_was_down_while_the_leader_compacted_catches_up_by_a_snapshot_larger_than_a_frame()
    {
        await using var mesh = new Mesh();
        foreach (var name in Mesh.Names) await mesh.StartNodeAsync(name);
        await mesh.WaitUntilMeshedAsync();
        foreach (var name in Mesh.Names) await mesh.StartVoterAsync(name);
        var leader = await mesh.LeaderAsync();
        var behind = Mesh.Names.First(n => n != leader);
        await mesh.StopVoterAsync(behind, wipe: true);

        // 40 values of 60 KiB: a state of about 2.4 MB, so the snapshot is more than a frame,
        // and a snapshot every 8 entries drops the log the voter that is down would need.
        var value = new byte[60 * 1024];
        for (var i = 0; i < 40; i++)
        {
            value[0] = (byte)i;
            var writer = mesh.Voter(await mesh.LeaderAsync())!;
            await mesh.WriteUntilAnsweredAsync(writer, StoreCommand.Put(Key(i), value));
        }
        var compacted = mesh.Voter(await mesh.LeaderAsync())!.Status();
        Assert.True(compacted.SnapshotBytes > FrameCap, $"the leader's snapshot has {compacted.SnapshotBytes} bytes");

        var caughtUp = await mesh.StartVoterAsync(behind);
        var deadline = DateTime.UtcNow + Generous;
        while (caughtUp.Status().Keys < 40)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{behind} caught up ({caughtUp.Status().Keys} keys of 40)");
            await Task.Delay(50);
        }
        for (var i = 0; i < 40; i++) Assert.Equal((byte)i, caughtUp.GetStale(Key(i))!.Value[0]);
        Assert.True(caughtUp.Status().SnapshotBytes > 0, "it installed a snapshot");
        Assert.Equal(0, mesh.Transport(behind).SnapshotPartsDropped);
    }

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key-{i:D2}");

    /// <summary>Cluster nodes a, b, c, each with a store transport; voters started and stopped on them.</summary>
    private sealed class Mesh : IAsyncDisposable
    {
        public static readonly string[] Names = ["a", "b", "c"];
        private readonly TempDirectory data = new();
        private readonly Dictionary<string, ClusterNode> nodes = new();
        private readonly Dictionary<string, MeshStoreTransport> transports = new();
        private readonly Dictionary<string, StoreNode> voters = new();

        public async Task StartNodeAsync(string name)
        {
            var options = new ClusterOptions
            {
                Alias = name,
                BindHost = "127.0.0.1",
                BindPort = 0,
                Cookie = "store-mesh-test"u8.ToArray(),
                HeartbeatInterval = TimeSpan.FromMilliseconds(100),
                FailureTimeout = TimeSpan.FromSeconds(5),
                HandshakeTimeout = TimeSpan.FromSeconds(5),
                MaxFrameBytes = FrameCap,
                DownRetention = TimeSpan.FromSeconds(60),
            };
            if (nodes.Count > 0) options.Seeds.Add($"127.0.0.1:{nodes.Values.First().AdvertisedPort}");
            var node = new ClusterNode(options, NullLoggerFactory.Instance);
            // Wired before the node starts, as a node's store is.
            transports[name] = new MeshStoreTransport(node);
            nodes[name] = node;
            await node.StartAsync();
        }

        public async Task WaitUntilMeshedAsync()
        {
            var deadline = DateTime.UtcNow + Generous;
            while (!nodes.Values.All(n => n.Members.Count(m => m.Status != MemberStatus.Down) == Names.Length))
            {
                Assert.True(DateTime.UtcNow < deadline, "the three nodes meshed");
                await Task.Delay(50);
            }
        }

        public MeshStoreTransport Transport(string name) => transports[name];

        public StoreNode? Voter(string name) => voters.GetValueOrDefault(name);

        public async Task<StoreNode> StartVoterAsync(string name)
        {
            var voter = await StoreNode.StartAsync(
                new StoreNodeOptions { Name = name, Voters = Names, DataDirectory = Path.Combine(data.Path, name), SnapshotEvery = 8 },
                transports[name]);
            voters[name] = voter;
            return voter;
        }

        /// <summary>The voter stops (its node stays in the mesh and answers no Raft call), its data wiped when asked.</summary>
        public async Task StopVoterAsync(string name, bool wipe)
        {
            if (voters.Remove(name, out var voter)) await voter.DisposeAsync();
            if (wipe) Directory.Delete(Path.Combine(data.Path, name), recursive: true);
        }

        public async Task<string> LeaderAsync()
        {
            var deadline = DateTime.UtcNow + Generous;
            while (true)
            {
                var leaders = voters.Values.Where(v => v.IsLeader).ToList();
                if (leaders.Count == 1) return leaders[0].Name;
                Assert.True(DateTime.UtcNow < deadline, "a single leader");
                await Task.Delay(50);
            }
        }

        public async Task WriteUntilAnsweredAsync(StoreNode node, StoreCommand command)
        {
            var deadline = DateTime.UtcNow + Generous;
            while (true)
            {
                try
                {
                    Assert.True((await node.WriteAsync(command)).Succeeded);
                    return;
                }
                catch (StoreUnavailableException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var voter in voters.Values) await voter.DisposeAsync();
            await Task.WhenAll(nodes.Values.Select(n => n.DisposeAsync().AsTask()));
            data.Dispose();
        }
    }
}
