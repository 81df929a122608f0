namespace Iridium.Cluster.Timing;

/// <summary>
/// A deadline that does not count the time this process was starved of CPU (see
/// <see cref="StarvationMeter"/>): when it comes, the starved time since it was set is granted
/// again, up to <see cref="MaxExtensionFactor"/> times the timeout in all, so a handshake on an
/// overloaded host gets the time to run that a quiet host would give it, yet still ends. Without
/// a meter it is a plain deadline. <see cref="Token"/> is cancelled when it passes (or when
/// <c>linked</c> is).
/// </summary>
internal sealed class StarvedDeadline : IDisposable
{
    /// <summary>The most the deadline is extended, in multiples of its timeout.</summary>
    public const int MaxExtensionFactor = 2;

    private readonly CancellationTokenSource _source;
    private readonly StarvationMeter? _meter;
    private readonly TimeSpan _timeout;
    private readonly long _starvedAtStart;
    private readonly TimeProvider _time;
    private readonly ITimer? _timer;
    private long _grantedMs;
    private long _dueAtMs;
    private long _lateMs;

    public StarvedDeadline(TimeSpan timeout, StarvationMeter? meter, TimeProvider time, CancellationToken linked = default, CancellationToken linked2 = default)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(linked, linked2);
        _meter = meter;
        _timeout = timeout;
        _time = time;
        if (meter is null)
        {
            _source.CancelAfter(timeout);
            return;
        }
        _starvedAtStart = meter.StarvedMs;
        _dueAtMs = time.NowMs() + (long)timeout.TotalMilliseconds;
        _timer = time.CreateTimer(_ => Due(), null, timeout, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>Milliseconds granted beyond the timeout for starved time (tests and diagnostics).</summary>
    public long ExtendedMs => Interlocked.Read(ref _grantedMs);

    /// <summary>
    /// The timer came: grant the starved time not granted yet. Starved is what the meter saw, or
    /// how late this very timer came when that is more (the meter's own tick may not have run yet).
    /// Timer callbacks of one timer do not overlap, so the fields need no lock.
    /// </summary>
    private void Due()
    {
        long now = _time.NowMs();
        long late = now - _dueAtMs;
        if (late > StarvationMeter.ToleranceMs) _lateMs += late;
        long starved = Math.Max(_meter!.StarvedMs - _starvedAtStart, _lateMs);
        long granted = Interlocked.Read(ref _grantedMs);
        long more = Math.Min(starved, MaxExtensionFactor * (long)_timeout.TotalMilliseconds) - granted;
        if (more > 0)
        {
            Interlocked.Add(ref _grantedMs, more);
            _dueAtMs = now + more;
            try
            {
                _timer!.Change(TimeSpan.FromMilliseconds(more), Timeout.InfiniteTimeSpan);
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed while the timer fired: the work it bounded is over.
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _source.Dispose();
    }
}
