namespace Iridium.Cluster.Connections;

/// <summary>
/// Gives the memory of outboxes that filled and emptied back to the system. A full outbox (a
/// client or peer that asks and does not read) holds its frames for seconds, long enough for the
/// collector to promote them to its oldest generation, and a node that then goes idle never
/// collects that generation: measured, eight clients flooding MembersQuery without reading left a
/// node at 94 MiB RSS (8 MiB idle) after they were cut off, for good. When outboxes that held at
/// least <see cref="ReclaimThresholdBytes"/> between them have emptied, one compacting collection
/// after the burst returns it, the same aggressive collection Hosting/VmMemory runs once VM heaps
/// come back (a plain one leaves the freed regions committed). At most one every
/// <see cref="MinimumInterval"/>, so a client that floods over and over cannot keep the node collecting.
/// </summary>
internal static class OutboxMemory
{
    /// <summary>An outbox that held this much reports it when it empties.</summary>
    public const long HighWaterBytes = 128 << 10;

    /// <summary>Memory emptied from outboxes before a collection is worth its pause.</summary>
    public const long ReclaimThresholdBytes = 1 << 20;

    /// <summary>Outboxes empty in bursts (a flood cut off): one collection after the burst.</summary>
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(5);

    private static readonly Timer s_reclaim = new(_ => Reclaim(), null, Timeout.Infinite, Timeout.Infinite);
    private static long s_emptied;
    private static long s_lastReclaimMs = long.MinValue / 2;
    private static long s_reclaims;

    /// <summary>Collections run so far (tests).</summary>
    public static long Reclaims => Interlocked.Read(ref s_reclaims);

    /// <summary>An outbox that held <paramref name="heldBytes"/> (at least <see cref="HighWaterBytes"/>) is empty again.</summary>
    public static void Emptied(long heldBytes)
    {
        if (Interlocked.Add(ref s_emptied, heldBytes) < ReclaimThresholdBytes) return;
        long sinceLast = Environment.TickCount64 - Interlocked.Read(ref s_lastReclaimMs);
        var wait = TimeSpan.FromMilliseconds(Math.Max(Delay.TotalMilliseconds, MinimumInterval.TotalMilliseconds - sinceLast));
        s_reclaim.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private static void Reclaim()
    {
        Interlocked.Exchange(ref s_emptied, 0);
        Interlocked.Exchange(ref s_lastReclaimMs, Environment.TickCount64);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref s_reclaims);
    }
}
