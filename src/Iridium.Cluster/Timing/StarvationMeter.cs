namespace Iridium.Cluster.Timing;

/// <summary>
/// How long this process was starved of CPU: the node's membership timer reports each tick, and
/// whatever a tick comes later than its interval (beyond a small tolerance) is time the process
/// could not run. When a whole host is overloaded (a full restart of many nodes, programs that
/// saturate it), a handshake or a heartbeat that "took" 3 s may have had only a fraction of that
/// to run in; the deadlines that use this meter do not count the starved part against the peer.
/// Thread-safe; the clock is the node's (tests give a fake one).
/// </summary>
internal sealed class StarvationMeter
{
    /// <summary>Lateness of a tick that is ordinary scheduling noise, not starvation.</summary>
    public const long ToleranceMs = 20;

    /// <summary>How far back <see cref="StarvedWithin"/> can look, in ticks.</summary>
    private const int History = 256;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long[] _atMs = new long[History];
    private readonly long[] _totalAtMs = new long[History];
    private long _lastTickMs = -1;
    private long _starvedMs;
    private int _next;
    private int _count;

    public StarvationMeter(TimeProvider time) => _time = time;

    public TimeProvider Time => _time;

    /// <summary>Starved milliseconds since the node started.</summary>
    public long StarvedMs
    {
        get
        {
            lock (_gate) return _starvedMs;
        }
    }

    /// <summary>A tick of a timer meant to run every <paramref name="interval"/> has come.</summary>
    public void Tick(TimeSpan interval)
    {
        long now = _time.NowMs();
        lock (_gate)
        {
            if (_lastTickMs >= 0)
            {
                long late = now - _lastTickMs - (long)interval.TotalMilliseconds;
                if (late > ToleranceMs) _starvedMs += late;
            }
            _lastTickMs = now;
            _atMs[_next] = now;
            _totalAtMs[_next] = _starvedMs;
            _next = (_next + 1) % History;
            _count = Math.Min(_count + 1, History);
        }
    }

    /// <summary>Starved milliseconds within the last <paramref name="window"/> (as far back as the history goes).</summary>
    public long StarvedWithin(TimeSpan window)
    {
        long since = _time.NowMs() - (long)window.TotalMilliseconds;
        lock (_gate)
        {
            long before = _count == History ? _totalAtMs[_next] : 0;
            // Newest first: the cumulative total at the last tick before the window began.
            for (int i = 1; i <= _count; i++)
            {
                int slot = (_next - i + History) % History;
                if (_atMs[slot] <= since)
                {
                    before = _totalAtMs[slot];
                    break;
                }
            }
            return _starvedMs - before;
        }
    }
}
