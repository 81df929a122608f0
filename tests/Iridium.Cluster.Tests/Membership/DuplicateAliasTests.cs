using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Membership;

/// <summary>A node given the alias of a live member does not retry for ever: it is told why it cannot join.</summary>
public class DuplicateAliasTests
{
    [Fact]
    public async Task ANodeWithALiveMembersAliasGivesUpJoiningWithAReason()
    {
        await using var cluster = new TestCluster();
        var holder = await cluster.StartAsync(TestCluster.Options("dup"));
        var other = await cluster.StartAsync(TestCluster.Options("other"));
        Assert.True((await other.JoinAsync("127.0.0.1", holder.AdvertisedPort)).Success);

        var options = TestCluster.Options("dup");
        options.Seeds.Add(TestCluster.Seed(other));
        options.AliasGiveUp = TimeSpan.FromSeconds(2);
        var log = new TestLog();
        var duplicate = await cluster.StartAsync(options, log);

        string why = await duplicate.JoinRefused.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("refused this node's alias for 2 s", why);
        Assert.True(log.Contains("cannot join:"));
        Assert.True(log.Contains("alias 'dup' is already used by live node " + holder.NodeId));
        Assert.DoesNotContain(holder.Members, m => m.Alias == "dup" && m.NodeId == duplicate.NodeId);
        Assert.Equal(2, TestCluster.Live(other));
        Assert.False(holder.JoinRefused.IsCompleted);
    }
}
