using Iridium.Cluster.Client;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Cluster.Tests.Membership;

/// <summary>Down members as a user sees them: listed with why and since when, through `members` too, then forgotten.</summary>
public class DownMembersTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static async Task<IReadOnlyList<MemberInfo>> QueryAsync(ClusterNode node)
    {
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", node.AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(5));
        return await client.MembersAsync();
    }

    [Fact]
    public async Task AKilledMemberIsListedDownWithItsReasonThenForgottenAfterTheRetention()
    {
        var time = new FakeTimeProvider();
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("watcher", heartbeatMs: 1000, timeoutMs: 30_000, retentionMs: 60_000), time: time);
        var (connection, outcome) = await RawPeer.ConnectAsync(node, "victim");
        Assert.True(outcome.Success, outcome.Message);
        await Eventually.True(() => TestCluster.Live(node) == 2, Wait, "victim up");

        connection.Close(CloseReason.Done, "killed");
        await Eventually.True(() => TestCluster.Live(node) == 1, Wait, "victim down");
        time.Advance(TimeSpan.FromSeconds(7));

        // What `iridium members` gets over the wire: the view, then the down details.
        var view = await QueryAsync(node);
        var victim = Assert.Single(view, m => m.Alias == "victim");
        Assert.Equal(MemberStatus.Down, victim.Status);
        Assert.Equal(DownReason.ConnectionLost, victim.Reason);
        Assert.Equal(7000, victim.DownSinceMs);
        var self = Assert.Single(view, m => m.Status == MemberStatus.Self);
        Assert.Null(self.DownSinceMs);
        Assert.Null(self.Reason);

        time.Advance(TimeSpan.FromSeconds(52)); // 59 s: still listed
        await Task.Delay(100);
        Assert.NotNull(TestCluster.Member(node, "victim"));
        // 60 s: forgotten at the next tick that finds it disconnected. A redial of the victim
        // may be in flight then (it ends in real time, on a loaded machine after that tick), so
        // the clock goes on ticking until one does.
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() =>
        {
            if (TestCluster.Member(node, "victim") is null) return true;
            time.Advance(TimeSpan.FromMilliseconds(100));
            return false;
        }, Wait, "victim forgotten");
        // A line is written after the state it reports changes: waited for, as the state was.
        await Eventually.True(() => cluster.Log.Contains("forgot down member victim"), Wait, "victim's forgetting logged");
        Assert.DoesNotContain(await QueryAsync(node), m => m.Alias == "victim");
    }

    [Fact]
    public async Task ARestartedNodeWithTheSameAliasReplacesItsDownEntryEverywhere()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a", heartbeatMs: 200, timeoutMs: 2000));
        var b = await cluster.StartAsync(TestCluster.Options("b", heartbeatMs: 200, timeoutMs: 2000));
        var c = await cluster.StartAsync(TestCluster.Options("c", heartbeatMs: 200, timeoutMs: 2000));
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        Assert.True((await c.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b, c], 3), Wait, "mesh of 3");

        var oldId = c.NodeId;
        await c.LeaveAsync();
        await Eventually.True(() => TestCluster.Live(a) == 2 && TestCluster.Live(b) == 2, Wait, "c down");
        Assert.Equal(MemberStatus.Down, TestCluster.Member(b, "c")!.Status);

        // c again: a new process, new node id, same alias; it joins through a only.
        var restarted = await cluster.StartAsync(TestCluster.Options("c", heartbeatMs: 200, timeoutMs: 2000));
        var joined = await restarted.JoinAsync("127.0.0.1", a.AdvertisedPort);
        Assert.True(joined.Success, joined.Message);
        await Eventually.True(() => TestCluster.Complete([a, b, restarted], 3), Wait, "mesh of 3 again");
        foreach (var node in new[] { a, b })
        {
            var entry = Assert.Single(node.Members, m => m.Alias == "c");
            Assert.Equal((MemberStatus.Up, restarted.NodeId), (entry.Status, entry.NodeId));
            Assert.Null(node.Peers.Find(oldId));
        }
    }

    [Fact]
    public async Task DownMembersNeverMakeTheLiveMembersFlap()
    {
        // b is killed while a and c stay: a and c must keep each other up, agree on their digest,
        // and list b down (not up again through each other's member lists).
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a", heartbeatMs: 50, timeoutMs: 3000));
        var c = await cluster.StartAsync(TestCluster.Options("c", heartbeatMs: 50, timeoutMs: 3000));
        Assert.True((await c.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        var (b, outcome) = await RawPeer.ConnectAsync(a, "b");
        Assert.True(outcome.Success, outcome.Message);
        await Eventually.True(() => TestCluster.Member(c, "b") is not null || TestCluster.Live(a) == 3, Wait, "b known");
        b.Close(CloseReason.Done, "killed");
        await Eventually.True(() => TestCluster.Member(a, "b")?.Status == MemberStatus.Down, Wait, "a lists b down");
        await Task.Delay(1000); // twenty heartbeats of anti-entropy
        Assert.Equal(MemberStatus.Down, TestCluster.Member(a, "b")!.Status);
        Assert.NotEqual(MemberStatus.Up, TestCluster.Member(c, "b")?.Status);
        Assert.Equal(a.Peers.Digest(), c.Peers.Digest());
        Assert.Equal(1, cluster.Log.Lines.Count(l => l.Contains("node up: c", StringComparison.Ordinal)));
        Assert.DoesNotContain(cluster.Log.Lines, l => l.Contains("node down: a", StringComparison.Ordinal) || l.Contains("node down: c", StringComparison.Ordinal));
    }
}
