using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// An exec group's output: collects what its processes print into chunks and ships each one
/// while the requester's window has room, in order. When the window is used up the writing
/// thread blocks in <see cref="Write(ReadOnlySpan{byte})"/> until credit arrives: a slow reader
/// slows the group instead of filling a buffer. A partly full chunk goes out once it has waited
/// <see cref="ExecFraming.FlushDelay"/>: <see cref="Flush"/> (the scheduler flushes a process's
/// output after each slice) ships it when it is due, and a timer ships it when nobody prints any
/// more (a program that prints, then waits in RECV). Writers are the group's processes, one at a
/// time under the group's output lock; the timer and <see cref="DrainAsync"/> take this object's
/// own lock too, so the buffer is never shipped twice. Credit arrives from any thread. Once
/// <paramref name="cancelled"/> fires, writes are dropped and nothing blocks. Full chunks come back
/// through <see cref="Recycle"/> once they are encoded for sending, so a streaming program does
/// not allocate (and the collector does not clear) a fresh chunk for every one it fills.
/// </summary>
/// <param name="ship">Sends one chunk; false when it cannot (the requester's connection is gone).</param>
internal sealed class ProcessOutput(int window, int chunkBytes, Func<byte[], bool> ship, Action onShipFailed, CancellationToken cancelled) : WriteOnlyStream
{
    /// <summary>Chunks kept for reuse: enough for the ones between the program and the socket.</summary>
    private const int SpareChunks = 4;

    private readonly Lock _gate = new();
    private readonly int _chunkBytes = Math.Min(chunkBytes, window);
    private readonly Stack<byte[]> _spare = new(SpareChunks);
    private byte[] _buffer = new byte[Math.Min(chunkBytes, window)];
    // Never disposed: a grant may arrive after the process ended (it has no wait handle to free).
    private readonly SemaphoreSlim _creditArrived = new(0);
    private ITimer? _idleTimer;
    private int _timerArmed;
    private int _length;
    private long _credit = window;
    private long _shipped;
    private long _lastShipTicks = Environment.TickCount64;

    /// <summary>Output bytes shipped so far (readable from any thread).</summary>
    public long Shipped => Volatile.Read(ref _shipped);

    /// <summary>The requester wrote <paramref name="bytes"/> more: wake the writer if it waits, or ship what waits.</summary>
    public void Grant(int bytes)
    {
        if (bytes <= 0) return;
        long credit = Interlocked.Add(ref _credit, bytes);
        // A requester granting more than it was ever sent does not widen the window past the cap.
        if (credit > ExecFraming.MaxWindow) Interlocked.Add(ref _credit, ExecFraming.MaxWindow - credit);
        _creditArrived.Release();
        if (Volatile.Read(ref _length) > 0) ArmIdleFlush();
    }

    /// <summary>A shipped chunk, encoded and no longer read (any thread): the next one to fill.</summary>
    public void Recycle(byte[] chunk)
    {
        if (chunk.Length != _chunkBytes) return;
        lock (_spare)
        {
            if (_spare.Count < SpareChunks) _spare.Push(chunk);
        }
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            // The common case, a print that fits: one copy, no checks beyond the room left.
            if (data.Length < _buffer.Length - _length)
            {
                data.CopyTo(_buffer.AsSpan(_length));
                _length += data.Length;
            }
            else
            {
                while (!data.IsEmpty && !cancelled.IsCancellationRequested)
                {
                    int n = Math.Min(data.Length, _buffer.Length - _length);
                    data[..n].CopyTo(_buffer.AsSpan(_length));
                    _length += n;
                    data = data[n..];
                    if (_length == _buffer.Length) ShipWhenCreditLocked();
                }
            }
        }
        if (Volatile.Read(ref _timerArmed) == 0) ArmIdleFlush();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>A slice ended: ships a partly full chunk that has waited <see cref="ExecFraming.FlushDelay"/>, if the window has room; never blocks.</summary>
    public override void Flush()
    {
        if (Volatile.Read(ref _length) == 0 || Environment.TickCount64 - Volatile.Read(ref _lastShipTicks) < ExecFraming.FlushDelay.TotalMilliseconds) return;
        lock (_gate) TryShip();
    }

    /// <summary>The group has ended: ships everything left, waiting for credit without holding a thread.</summary>
    public async Task DrainAsync()
    {
        while (!cancelled.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (_length == 0 || TryShip())
                {
                    _idleTimer?.Dispose();
                    return;
                }
            }
            try
            {
                await _creditArrived.WaitAsync(cancelled).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _idleTimer?.Dispose();
    }

    /// <summary>Ships the buffer after <see cref="ExecFraming.FlushDelay"/> unless a write or a slice's end does it first.</summary>
    private void ArmIdleFlush()
    {
        if (Interlocked.Exchange(ref _timerArmed, 1) == 1) return;
        var timer = Volatile.Read(ref _idleTimer);
        if (timer is null)
        {
            timer = TimeProvider.System.CreateTimer(static state => ((ProcessOutput)state!).IdleFlush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            timer = Interlocked.CompareExchange(ref _idleTimer, timer, null) ?? timer;
        }
        timer.Change(ExecFraming.FlushDelay, Timeout.InfiniteTimeSpan);
    }

    private void IdleFlush()
    {
        Volatile.Write(ref _timerArmed, 0);
        if (cancelled.IsCancellationRequested || Volatile.Read(ref _length) == 0) return;
        // A writer holds the lock (perhaps waiting for credit): it ships; look again later.
        if (!_gate.TryEnter())
        {
            ArmIdleFlush();
            return;
        }
        try
        {
            // No credit: the next grant arms the timer again.
            TryShip();
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void ShipWhenCreditLocked()
    {
        while (_length > 0 && !TryShip() && !cancelled.IsCancellationRequested)
        {
            try
            {
                _creditArrived.Wait(cancelled);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Ships the buffer when the window holds it (under the lock).</summary>
    private bool TryShip()
    {
        if (_length == 0) return true;
        if (Volatile.Read(ref _credit) < _length) return false;
        // A full chunk is sent as it is (the next one gets a new array); a partial one is copied.
        byte[] chunk;
        if (_length == _buffer.Length)
        {
            chunk = _buffer;
            _buffer = SpareOrNew();
        }
        else
        {
            chunk = _buffer.AsSpan(0, _length).ToArray();
        }
        Interlocked.Add(ref _credit, -_length);
        Volatile.Write(ref _shipped, _shipped + _length);
        Volatile.Write(ref _length, 0);
        Volatile.Write(ref _lastShipTicks, Environment.TickCount64);
        if (!ship(chunk)) onShipFailed();
        return true;
    }

    private byte[] SpareOrNew()
    {
        lock (_spare)
        {
            if (_spare.TryPop(out var chunk)) return chunk;
        }
        return new byte[_chunkBytes];
    }

    public override long Length => Shipped;
    public override long Position { get => Shipped; set => throw new NotSupportedException(); }
}
