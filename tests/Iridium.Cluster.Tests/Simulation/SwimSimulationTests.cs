namespace Iridium.Cluster.Tests.Simulation;

/// <summary>
/// The partial-view membership proposed for 1,000+ nodes (docs/scale.md), simulated on a simulated
/// clock and network: it must converge and detect failures within bounds that grow with log N,
/// not with N. The figures each run prints are the ones the document quotes.
/// </summary>
public class SwimSimulationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void AThousandNodesStartedAtOnceConvergeAndCrashedOnesAreFoundDead() => ConvergeAndDetect(1_000);

    /// <summary>About a minute of CPU (three on a busy two-core host): run with IRIDIUM_SLOW_SIMULATION=1.</summary>
    [SlowSimulationFact]
    public void TenThousandNodesStartedAtOnceConvergeAndCrashedOnesAreFoundDead() => ConvergeAndDetect(10_000);

    private void ConvergeAndDetect(int nodes)
    {
        var settings = new SwimSettings();
        var figures = SwimSimulation.Run(nodes, settings);
        output.WriteLine($"{nodes} nodes: converged after {figures.ConvergedMs} ms; {Math.Max(1, nodes / 100)} crashed: first suspected after {figures.FirstSuspectMs} ms, " +
            $"dead everywhere after {figures.AllDeadMs} ms; {figures.MessagesPerNodePerSecond:0.0} messages per node per second meanwhile; {figures.FalseSuspicions} false suspicions");

        Assert.True(figures.ConvergedMs >= 0, "never converged");
        // Join: the seed's push-pull, then gossip and the periodic push-pull, which spreads what
        // the gossip queues dropped as an epidemic: at most log2(N) push-pull periods.
        Assert.InRange(figures.ConvergedMs, 1, (long)Math.Ceiling(Math.Log2(nodes)) * settings.PushPullMs);
        // A crashed node is probed within a few periods, then suspected for 4 x log10(N) periods.
        long suspicion = (long)(settings.SuspicionMultiplier * Math.Log10(nodes) * settings.RoundsPerProbe * settings.RoundMs);
        Assert.NotNull(figures.FirstSuspectMs);
        Assert.InRange(figures.FirstSuspectMs!.Value, 1, 5_000);
        Assert.NotNull(figures.AllDeadMs);
        Assert.InRange(figures.AllDeadMs!.Value, suspicion, suspicion + 15_000);
        Assert.Equal(0, figures.FalseSuspicions);
        // Per node, the steady cost does not grow with N: a probe and its ack each period, plus gossip while there is news.
        Assert.InRange(figures.MessagesPerNodePerSecond, 1, 20);
    }

    [Fact]
    public void TheSameSeedGivesTheSameRun()
    {
        var a = SwimSimulation.Run(200, new SwimSettings(), seed: 7);
        var b = SwimSimulation.Run(200, new SwimSettings(), seed: 7);
        Assert.Equal(a, b);
    }
}

/// <summary>A fact that runs only when IRIDIUM_SLOW_SIMULATION is set (it is skipped, saying so, otherwise).</summary>
public sealed class SlowSimulationFactAttribute : FactAttribute
{
    public SlowSimulationFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("IRIDIUM_SLOW_SIMULATION")))
            Skip = "a minute of CPU or more: set IRIDIUM_SLOW_SIMULATION=1 to run it";
    }
}
