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

    /// <summary>
    /// <see cref="After"/> stretched by up to half of it, by <paramref name="unit"/> (0 to 1, random
    /// in the node): nodes that failed together (a host that was starved, a newcomer every member
    /// dialed at once) come back spread out instead of together.
    /// </summary>
    public TimeSpan After(int failures, double unit) => After(failures) * (1 + Math.Clamp(unit, 0, 1) / 2);
}
