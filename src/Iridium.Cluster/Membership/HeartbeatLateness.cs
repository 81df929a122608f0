namespace Iridium.Cluster.Membership;

/// <summary>
/// How late heartbeats arrive from peers in general: the 90th percentile of the recent gaps
/// between two heartbeats of the same peer, beyond the heartbeat interval. When a whole host (or
/// network) is overloaded every peer's heartbeats come late, and a silence as long as theirs is no
/// sign of failure; a peer that has really stopped falls silent for ever while the others keep
/// arriving, so it is still found (its own silence adds no gaps). Failure detection adds this to
/// the failure timeout, up to <see cref="MaxLatenessFactor"/> times it (the timeout as stretched
/// for the mesh's size, <see cref="HeartbeatStretch"/>). Thread-safe.
/// </summary>
internal sealed class HeartbeatLateness
{
    /// <summary>Gaps kept: a few seconds of heartbeats from a hundred peers, or minutes from a few.</summary>
    public const int Window = 512;

    /// <summary>The most lateness granted, in failure timeouts: a failure is still found on a host that never recovers.</summary>
    public const int MaxLatenessFactor = 3;

    private readonly Lock _gate = new();
    private readonly long[] _gaps = new long[Window];
    private readonly long[] _sorted = new long[Window];
    private int _next;
    private int _count;
    private long _added;
    private long _sortedAt = -1;
    private long _p90;

    /// <summary>A heartbeat arrived <paramref name="gapMs"/> after the previous one from the same peer.</summary>
    public void Add(long gapMs)
    {
        lock (_gate)
        {
            _gaps[_next] = Math.Max(0, gapMs);
            _next = (_next + 1) % Window;
            _count = Math.Min(_count + 1, Window);
            _added++;
        }
    }

    /// <summary>How much later than <paramref name="interval"/> heartbeats arrive (90th percentile), at most <see cref="MaxLatenessFactor"/> × <paramref name="failureTimeout"/>.</summary>
    public long LatenessMs(TimeSpan interval, TimeSpan failureTimeout)
    {
        long p90;
        lock (_gate)
        {
            if (_count == 0) return 0;
            // Asked every tick, several times per heartbeat: sorted again only when gaps came in since.
            if (_sortedAt != _added)
            {
                Array.Copy(_gaps, _sorted, _count);
                Array.Sort(_sorted, 0, _count);
                _p90 = _sorted[(int)((_count - 1) * 0.9)];
                _sortedAt = _added;
            }
            p90 = _p90;
        }
        return Math.Clamp(p90 - (long)interval.TotalMilliseconds, 0, MaxLatenessFactor * (long)failureTimeout.TotalMilliseconds);
    }
}
