using Iridium.Cluster.Timing;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Cluster.Tests.Deadlines;

/// <summary>
/// Starved time (the node's own timer ticking late) and the deadlines that do not count it, on a
/// fake clock: a starved host is simulated by moving time past a tick before it runs.
/// </summary>
public class StarvationTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void OnlyLatenessBeyondTheToleranceCountsAsStarved()
    {
        var meter = new StarvationMeter(_time);
        meter.Tick(Interval);
        _time.Advance(Interval + TimeSpan.FromMilliseconds(StarvationMeter.ToleranceMs));
        meter.Tick(Interval);
        Assert.Equal(0, meter.StarvedMs);                      // scheduling noise
        _time.Advance(Interval + TimeSpan.FromMilliseconds(1500));
        meter.Tick(Interval);
        Assert.Equal(1500, meter.StarvedMs);
    }

    [Fact]
    public void StarvedWithinLooksOnlyAtTheWindow()
    {
        var meter = new StarvationMeter(_time);
        meter.Tick(Interval);
        _time.Advance(Interval + TimeSpan.FromSeconds(2));     // starved 2 s
        meter.Tick(Interval);
        for (int i = 0; i < 8; i++)                            // then 2 s of punctual ticks
        {
            _time.Advance(Interval);
            meter.Tick(Interval);
        }
        Assert.Equal(2000, meter.StarvedWithin(TimeSpan.FromSeconds(3)));
        Assert.Equal(0, meter.StarvedWithin(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void ADeadlineWithoutStarvationPassesAtItsTimeout()
    {
        var meter = new StarvationMeter(_time);
        using var deadline = new StarvedDeadline(TimeSpan.FromSeconds(2), meter, _time);
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(deadline.Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.Equal(0, deadline.ExtendedMs);
    }

    [Fact]
    public void ADeadlineGrantsTheStarvedTimeAgain()
    {
        var meter = new StarvationMeter(_time);
        meter.Tick(Interval);
        using var deadline = new StarvedDeadline(TimeSpan.FromSeconds(2), meter, _time);
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        meter.Tick(Interval);                                  // 750 ms late
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.False(deadline.Token.IsCancellationRequested);  // due, but 750 ms of it were starved
        Assert.Equal(750, deadline.ExtendedMs);
        _time.Advance(TimeSpan.FromMilliseconds(749));
        Assert.False(deadline.Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void AHostStarvedForEverStillEndsTheDeadline()
    {
        var meter = new StarvationMeter(_time);
        meter.Tick(Interval);
        using var deadline = new StarvedDeadline(TimeSpan.FromSeconds(1), meter, _time);
        for (int i = 0; i < 40 && !deadline.Token.IsCancellationRequested; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            meter.Tick(Interval);                              // every tick 250 ms late
        }
        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.Equal(StarvedDeadline.MaxExtensionFactor * 1000, deadline.ExtendedMs);
    }

    [Fact]
    public void ALinkedTokenEndsTheDeadlineAtOnce()
    {
        using var stop = new CancellationTokenSource();
        using var deadline = new StarvedDeadline(TimeSpan.FromSeconds(2), new StarvationMeter(_time), _time, stop.Token);
        stop.Cancel();
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void JitterStretchesABackoffByUpToHalf()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(16));
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.After(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(3), backoff.After(2, 1));
        Assert.Equal(TimeSpan.FromSeconds(24), backoff.After(9, 1));  // the cap, stretched
        var spread = Enumerable.Range(0, 100).Select(i => backoff.After(1, i / 100.0)).Distinct().Count();
        Assert.Equal(100, spread);
    }
}
