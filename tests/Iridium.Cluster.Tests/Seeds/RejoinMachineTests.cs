using Iridium.Cluster.Seeds;

namespace Iridium.Cluster.Tests.Seeds;

/// <summary>
/// The rejoin decisions on their own: no clock, no sockets, no threads. Every order of "a round
/// ends" and "the last peer is lost" must end with the node trying its seeds again.
/// </summary>
public class RejoinMachineTests
{
    private static RejoinMachine Started()
    {
        var machine = new RejoinMachine(jitter: () => 0);
        machine.Start();
        return machine;
    }

    [Fact]
    public void ARoundWithNoAnswerBacksOffWithDoublingCappedWaits()
    {
        var machine = Started();
        long now = 1000;
        var waits = new List<long>();
        for (int round = 0; round < 8; round++)
        {
            Assert.Equal(RejoinState.Joining, machine.State);
            machine.RoundEnded(RoundResult.NoAnswer, now);
            Assert.Equal(RejoinState.BackingOff, machine.State);
            waits.Add(machine.RetryAtMs - now);
            Assert.False(machine.BackoffElapsed(machine.RetryAtMs - 1));
            now = machine.RetryAtMs;
            Assert.True(machine.BackoffElapsed(now));
        }
        Assert.Equal([50, 100, 200, 400, 800, 1600, 2000, 2000], waits);
    }

    [Fact]
    public void ARefusedAliasIsRetriedUntilTheGiveUpTimeThenTheMachineGivesUp()
    {
        var machine = new RejoinMachine(jitter: () => 0, aliasGiveUp: TimeSpan.FromSeconds(10));
        machine.Start();
        long now = 0;
        while (now < 10_000)
        {
            machine.RoundEnded(RoundResult.AliasTaken, now);
            Assert.Equal(RejoinState.BackingOff, machine.State);   // a restarted node's old self may still be live
            now = machine.RetryAtMs;
            Assert.True(machine.BackoffElapsed(now));
        }
        machine.RoundEnded(RoundResult.AliasTaken, now);
        Assert.Equal(RejoinState.AliasRefused, machine.State);
        Assert.False(machine.LiveCountChanged(0));                 // and stays given up
        Assert.Equal(RejoinState.AliasRefused, machine.State);
    }

    [Fact]
    public void ARoundThatIsNotRefusedStartsTheGiveUpTimeOver()
    {
        var machine = new RejoinMachine(jitter: () => 0, aliasGiveUp: TimeSpan.FromSeconds(10));
        machine.Start();
        machine.RoundEnded(RoundResult.AliasTaken, 0);
        machine.BackoffElapsed(machine.RetryAtMs);
        machine.RoundEnded(RoundResult.NoAnswer, 9_000);          // the seed was down for a while
        machine.BackoffElapsed(machine.RetryAtMs);
        machine.RoundEnded(RoundResult.AliasTaken, 12_000);
        Assert.Equal(RejoinState.BackingOff, machine.State);
        machine.BackoffElapsed(machine.RetryAtMs);
        machine.RoundEnded(RoundResult.AliasTaken, 22_000);
        Assert.Equal(RejoinState.AliasRefused, machine.State);
    }

    [Fact]
    public void JitterAddsUpToAQuarterOfTheWait()
    {
        var machine = new RejoinMachine(jitter: () => 0.999);
        machine.Start();
        machine.RoundEnded(RoundResult.NoAnswer, 0);
        Assert.InRange(machine.RetryAtMs, 50, 62);
    }

    [Fact]
    public void LosingTheLastPeerAfterTheRoundEndedStartsANewRound()
    {
        var machine = Started();
        machine.LiveCountChanged(1);               // the seed's connection is recorded during the round
        machine.RoundEnded(RoundResult.Joined, 0); // then the round ends
        Assert.Equal(RejoinState.Joined, machine.State);
        Assert.True(machine.LiveCountChanged(0));  // then the seed leaves
        Assert.Equal(RejoinState.Joining, machine.State);
    }

    [Fact]
    public void LosingTheLastPeerBeforeTheRoundEndedStillStartsANewRound()
    {
        // A race seen with many nodes starting at once: the seed left while the joining round was still finishing.
        var machine = Started();
        machine.LiveCountChanged(1);
        Assert.False(machine.LiveCountChanged(0)); // no wake-up needed: the round is still in flight
        machine.RoundEnded(RoundResult.Joined, 500);
        Assert.Equal(RejoinState.BackingOff, machine.State);
        Assert.Equal(550, machine.RetryAtMs);      // from the shortest wait
        Assert.True(machine.BackoffElapsed(550));
        Assert.Equal(RejoinState.Joining, machine.State);
    }

    [Fact]
    public void PeersThatJoinedUsDoNotStopTheSeedRetries()
    {
        var machine = Started();
        machine.RoundEnded(RoundResult.NoAnswer, 0);
        Assert.False(machine.LiveCountChanged(3));
        Assert.Equal(RejoinState.BackingOff, machine.State);
        Assert.True(machine.BackoffElapsed(machine.RetryAtMs));
        Assert.Equal(RejoinState.Joining, machine.State);
    }

    [Fact]
    public void ASuccessfulRoundResetsTheBackoff()
    {
        var machine = Started();
        for (int i = 0; i < 5; i++)
        {
            machine.RoundEnded(RoundResult.NoAnswer, 0);
            machine.BackoffElapsed(machine.RetryAtMs);
        }
        machine.LiveCountChanged(1);
        machine.RoundEnded(RoundResult.Joined, 10_000);
        machine.LiveCountChanged(0);
        machine.RoundEnded(RoundResult.NoAnswer, 20_000);
        Assert.Equal(20_050, machine.RetryAtMs);
    }

    [Fact]
    public void WhenEverySeedIsThisNodeThereIsNothingToJoin()
    {
        var machine = Started();
        machine.RoundEnded(RoundResult.OnlySelf, 0);
        Assert.Equal(RejoinState.Joined, machine.State);
        // Peers come and go: once all are lost, the seeds are tried again.
        Assert.False(machine.LiveCountChanged(2));
        Assert.True(machine.LiveCountChanged(0));
    }

    [Fact]
    public void AStoppedMachineIgnoresALateRoundAndCountChanges()
    {
        var machine = Started();
        machine.Stop();
        machine.RoundEnded(RoundResult.Joined, 0);
        Assert.False(machine.LiveCountChanged(0));
        Assert.False(machine.BackoffElapsed(long.MaxValue));
        Assert.Equal(RejoinState.Stopped, machine.State);
    }

    /// <summary>
    /// Every interleaving of the events around one round, from every start: whenever the machine
    /// rests (no round in flight, no backoff to wait out), it rests in Joined with a live peer, or
    /// the count is 0 and a round is (about to be) under way.
    /// </summary>
    [Fact]
    public void NoInterleavingLeavesTheNodeIsolated()
    {
        string[] events = ["up", "down", "joined", "noanswer", "self", "elapsed"];
        int checkedSequences = 0;
        foreach (var sequence in Sequences(events, 6))
        {
            var machine = Started();
            long now = 0;
            foreach (string e in sequence)
            {
                now += 10;
                switch (e)
                {
                    case "up": machine.LiveCountChanged(machine.LiveCount + 1); break;
                    case "down": if (machine.LiveCount > 0) machine.LiveCountChanged(machine.LiveCount - 1); break;
                    case "joined" or "noanswer" or "self" when machine.State == RejoinState.Joining:
                        machine.RoundEnded(e == "joined" ? RoundResult.Joined : e == "self" ? RoundResult.OnlySelf : RoundResult.NoAnswer, now);
                        break;
                    case "elapsed": machine.BackoffElapsed(machine.RetryAtMs); break;
                }
                bool isolated = machine.State == RejoinState.Joined && machine.LiveCount == 0 && !sequence.Contains("self");
                Assert.False(isolated, $"isolated after: {string.Join(", ", sequence)}");
            }
            checkedSequences++;
        }
        Assert.Equal((int)Math.Pow(events.Length, 6), checkedSequences);
    }

    private static IEnumerable<string[]> Sequences(string[] alphabet, int length)
    {
        if (length == 0)
        {
            yield return [];
            yield break;
        }
        foreach (var prefix in Sequences(alphabet, length - 1))
        {
            foreach (string e in alphabet) yield return [.. prefix, e];
        }
    }
}
