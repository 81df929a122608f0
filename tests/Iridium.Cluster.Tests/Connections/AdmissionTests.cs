using Iridium.Cluster.Client;
using Iridium.Cluster.Tests.Support;
using Iridium.Net;

namespace Iridium.Cluster.Tests.Connections;

/// <summary>Unauthenticated connections cannot take what members and clients need.</summary>
public class AdmissionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void TheBudgetAdmitsEveryoneUntilFull()
    {
        var budget = new PreAuthBudget(capacity: 4, perSourceCap: 4);
        int dropped = 0;
        var tickets = Enumerable.Range(0, 4).Select(i => budget.Admit($"10.0.0.{i}", () => dropped++)).ToList();
        Assert.Equal(4, budget.Count);
        Assert.Equal(0, dropped);
        tickets[1].Dispose();
        Assert.Equal(3, budget.Count);
        budget.Admit("10.0.0.9", () => dropped++);
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void AFullAddressSharePushesOutThatAddresssOldestOnly()
    {
        var budget = new PreAuthBudget(capacity: 10, perSourceCap: 3);
        var dropped = new List<string>();
        budget.Admit("honest", () => dropped.Add("honest"));
        for (int i = 0; i < 3; i++)
        {
            int n = i;
            budget.Admit("attacker", () => dropped.Add($"attacker{n}"));
        }
        budget.Admit("attacker", () => dropped.Add("attacker3"));
        budget.Admit("attacker", () => dropped.Add("attacker4"));
        Assert.Equal(["attacker0", "attacker1"], dropped);
        Assert.Equal(4, budget.Count);
        Assert.Equal(2, budget.TakeDropped());
        Assert.Equal(0, budget.TakeDropped());
    }

    [Fact]
    public void AFullBudgetPushesOutTheOldestOverall()
    {
        var budget = new PreAuthBudget(capacity: 3, perSourceCap: 3);
        var dropped = new List<string>();
        foreach (string source in new[] { "a", "b", "c", "d" }) budget.Admit(source, () => dropped.Add(source));
        Assert.Equal(["a"], dropped);
    }

    [Fact]
    public void ACompletedTicketCannotBeDroppedAndADroppedOneCannotComplete()
    {
        var budget = new PreAuthBudget(capacity: 1, perSourceCap: 1);
        int drops = 0;
        var first = budget.Admit("x", () => drops++);
        Assert.True(first.Complete());
        Assert.Equal(0, budget.Count);
        var second = budget.Admit("x", () => drops++);
        budget.Admit("x", () => drops++); // pushes out the second
        Assert.True(second.WasDropped);
        Assert.False(second.Complete());
        Assert.Equal(1, drops);
        second.Dispose();                  // harmless twice over
        Assert.Equal(1, budget.Count);
    }

    [Fact]
    public void AConnectionWhoseAnswerIsWaitingIsNeverPushedOutByAStalledOne()
    {
        var budget = new PreAuthBudget(capacity: 10, perSourceCap: 2);
        var dropped = new List<string>();
        bool answering = true;
        budget.Admit("x", () => dropped.Add("answering"), () => answering ? LoginActivity.Answering : LoginActivity.Silent);
        budget.Admit("x", () => dropped.Add("stalled1"), () => LoginActivity.Silent);
        budget.Admit("x", () => dropped.Add("stalled2"), () => LoginActivity.Silent); // pushes out stalled1, not the older one answering
        Assert.Equal(["stalled1"], dropped);
        var waiting = budget.Admit("x", () => dropped.Add("newcomer"), () => LoginActivity.Answering); // pushes out stalled2
        Assert.Equal(["stalled1", "stalled2"], dropped);
        // Both held connections are answering: the newcomer waits outside.
        var outside = budget.Admit("x", () => dropped.Add("outside"));
        Assert.Equal(["stalled1", "stalled2", "outside"], dropped);
        Assert.True(outside.WasDropped);
        Assert.Equal(2, budget.Count);
        // Once its answer is read it is an ordinary connection again, the oldest, and goes first.
        answering = false;
        budget.Admit("x", () => dropped.Add("later"));
        Assert.Equal(["stalled1", "stalled2", "outside", "answering"], dropped);
        Assert.False(waiting.WasDropped);
    }

    [Fact]
    public void AConnectionThatSentPartOfSomethingAndStoppedGoesBeforeOlderSilentOnes()
    {
        var budget = new PreAuthBudget(capacity: 10, perSourceCap: 3);
        var dropped = new List<string>();
        budget.Admit("x", () => dropped.Add("silent"), () => LoginActivity.Silent);
        budget.Admit("x", () => dropped.Add("partial"), () => LoginActivity.Partial);
        budget.Admit("x", () => dropped.Add("young"), () => LoginActivity.Silent);
        budget.Admit("x", () => dropped.Add("newcomer"));
        Assert.Equal(["partial"], dropped);
    }

    [Fact]
    public async Task UnderAStallFloodFromOneAddressClientsStillGetInAndPeersStayUp()
    {
        await using var cluster = new TestCluster();
        var options = TestCluster.Options("target", heartbeatMs: 100, timeoutMs: 3000);
        options.HandshakeTimeout = TimeSpan.FromSeconds(2);
        var target = await cluster.StartAsync(options);
        var peer = await cluster.StartAsync(TestCluster.Options("peer", heartbeatMs: 100, timeoutMs: 3000));
        Assert.True((await peer.JoinAsync("127.0.0.1", target.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([target, peer], 2), Wait, "mesh");

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // bounds the attack whatever happens
        var flood = StallFlood.RunAsync(target.AdvertisedPort, concurrent: 650, stop.Token);
        await Eventually.True(() => target.PendingHandshakes >= options.MaxPendingPerAddress, Wait, "the flood holds its share of the budget");

        int answered = 0;
        var failures = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            try
            {
                await using var client = await ClusterClient.ConnectAsync("127.0.0.1", target.AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(5));
                var members = await client.MembersAsync();
                if (members.Count(m => m.Status != MemberStatus.Down) == 2) answered++;
            }
            catch (ClusterClientException e)
            {
                failures.Add(e.Message);
            }
        }
        // Let the flood run a little longer than the failure timeout so a starved peer would show.
        await Task.Delay(3500);
        bool peerStayedUp = TestCluster.Complete([target, peer], 2);
        int held = target.PendingHandshakes;
        await stop.CancelAsync();
        long opened = await flood;
        output.WriteLine($"flood: {opened} connections opened from {StallFlood.Attacker}; members answered {answered}/10; held at the end {held}");

        Assert.True(answered >= 9, $"{answered} of 10 members queries answered; failures: {string.Join("; ", failures)}");
        Assert.True(peerStayedUp, "the peer was marked down during the flood");
        Assert.DoesNotContain(cluster.Log.Lines, l => l.Contains("node down", StringComparison.Ordinal));
        Assert.True(opened >= 650, $"the flood opened only {opened} connections");
        Assert.InRange(held, 0, options.MaxPendingPerAddress);
        Assert.Contains(cluster.Log.Lines, l => l.Contains("dropped to make room", StringComparison.Ordinal));
    }
}
