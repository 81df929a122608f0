using System.Globalization;

namespace Iridium.Net;

/// <summary>
/// Log lines about connections, rate-limited per source address: at most
/// <paramref name="linesPerSource"/> lines about one address per period are written one by one;
/// the rest are counted, and <see cref="Flush"/> (called by the owner's timer once a period, and
/// by the first line of a new period) writes one summary line for them. A flood of connections
/// therefore costs a few lines per period, however fast it comes. At most
/// <see cref="MaxSources"/> addresses are told apart in a period; lines about others are counted
/// together. Thread-safe; <paramref name="write"/> runs outside the lock.
/// </summary>
public sealed class SourceLogThrottle(string what, int linesPerSource, TimeSpan period, TimeProvider time, Action<string> write)
{
    /// <summary>Addresses counted one by one in a period; beyond, lines are only summed.</summary>
    public const int MaxSources = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);
    private long _periodStart = time.GetTimestamp();
    private long _unlogged;
    private int _unloggedSources;
    private string? _loudest;
    private int _loudestCount;

    /// <summary>Writes <paramref name="line"/> about <paramref name="source"/>, unless that address had its share this period.</summary>
    public void Line(string source, string line)
    {
        string? summary = Roll();
        bool written;
        lock (_gate)
        {
            int count = _lines.TryGetValue(source, out int n) || _lines.Count < MaxSources ? n + 1 : int.MaxValue;
            if (count != int.MaxValue) _lines[source] = count;
            written = count <= linesPerSource;
            if (!written)
            {
                if (count == linesPerSource + 1 || count == int.MaxValue) _unloggedSources++;
                _unlogged++;
                if (count != int.MaxValue && count > _loudestCount)
                {
                    _loudest = source;
                    _loudestCount = count;
                }
            }
        }
        if (summary is not null) write(summary);
        if (written) write(line);
    }

    /// <summary>Ends the period when it is over: one summary line for what was not written, if anything.</summary>
    public void Flush()
    {
        if (Roll() is { } summary) write(summary);
    }

    private string? Roll()
    {
        lock (_gate)
        {
            TimeSpan elapsed = time.GetElapsedTime(_periodStart);
            if (elapsed < period) return null;
            string? summary = _unlogged == 0 ? null : string.Create(CultureInfo.InvariantCulture,
                $"{what}: {_unlogged} more lines about {_unloggedSources} address(es) not logged in the last {elapsed.TotalSeconds:0} s (at most {linesPerSource} per address; most from {_loudest ?? "others"}: {_loudestCount} lines)");
            _lines.Clear();
            _periodStart = time.GetTimestamp();
            _unlogged = 0;
            _unloggedSources = 0;
            _loudest = null;
            _loudestCount = 0;
            return summary;
        }
    }
}
