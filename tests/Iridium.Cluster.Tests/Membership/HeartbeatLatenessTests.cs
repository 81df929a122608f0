using Iridium.Cluster.Membership;

namespace Iridium.Cluster.Tests.Membership;

/// <summary>The lateness of heartbeats in general, which failure detection does not count against one peer.</summary>
public class HeartbeatLatenessTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    [Fact]
    public void OnTimeHeartbeatsGrantNothing()
    {
        var lateness = new HeartbeatLateness();
        Assert.Equal(0, lateness.LatenessMs(Interval, Timeout));
        for (int i = 0; i < 100; i++) lateness.Add(1000 + i % 7);
        Assert.InRange(lateness.LatenessMs(Interval, Timeout), 0, 6);
    }

    [Fact]
    public void WhenMostPeersAreLateTheirLatenessIsGranted()
    {
        var lateness = new HeartbeatLateness();
        for (int i = 0; i < 100; i++) lateness.Add(i < 20 ? 1000 : 3500);   // an overloaded host: most gaps 3.5 s
        Assert.Equal(2500, lateness.LatenessMs(Interval, Timeout));
    }

    [Fact]
    public void AFewLateHeartbeatsDoNotHideAFailure()
    {
        var lateness = new HeartbeatLateness();
        for (int i = 0; i < 100; i++) lateness.Add(i < 95 ? 1000 : 9000);
        Assert.Equal(0, lateness.LatenessMs(Interval, Timeout));
    }

    [Fact]
    public void TheGrantIsCappedAndOldGapsAgeOut()
    {
        var lateness = new HeartbeatLateness();
        for (int i = 0; i < HeartbeatLateness.Window; i++) lateness.Add(60_000);
        Assert.Equal(HeartbeatLateness.MaxLatenessFactor * 3000, lateness.LatenessMs(Interval, Timeout));
        for (int i = 0; i < HeartbeatLateness.Window; i++) lateness.Add(1000);  // the host recovered
        Assert.Equal(0, lateness.LatenessMs(Interval, Timeout));
    }
}
