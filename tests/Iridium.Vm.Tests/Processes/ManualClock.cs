namespace Iridium.Vm.Tests.Processes;

/// <summary>
/// A clock that moves only when a test advances it; its timers fire then, on the advancing thread,
/// and <paramref name="early"/> before their time when asked to (as coarse system timers may).
/// </summary>
internal sealed class ManualClock(TimeSpan early = default) : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _ticks, by.Ticks);
        List<ManualTimer> due;
        lock (_timers) due = _timers.Where(t => t.Due - early.Ticks <= _ticks).ToList();
        foreach (var timer in due) timer.Fire();
    }

    /// <summary>Timers armed and not yet fired or disposed.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_timers) return _timers.Count;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state, GetTimestamp() + dueTime.Ticks);
        lock (_timers) _timers.Add(timer);
        return timer;
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state, long due) : ITimer
    {
        public long Due { get; } = due;

        public void Fire()
        {
            Dispose();
            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

        public void Dispose()
        {
            lock (clock._timers) clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
