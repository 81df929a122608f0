namespace Iridium.Cluster.Timing;

/// <summary>Capped exponential backoff: <see cref="Start"/>, twice that, four times, ... never more than <see cref="Cap"/>.</summary>
internal readonly record struct Backoff(TimeSpan Start, TimeSpan Cap)
{
    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1 = the first).</summary>
    public TimeSpan After(int failures)
    {
        if (failures <= 1) return Start;
        int doublings = Math.Min(failures - 1, 30);
        long ticks = Start.Ticks << doublings;
        return ticks <= 0 || ticks > Cap.Ticks ? Cap : TimeSpan.FromTicks(ticks);
    }
}
