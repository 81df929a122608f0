namespace Iridium.Cluster.Exec;

/// <summary>
/// A process's standard output: collects what the program prints into chunks and ships each one
/// while the requester's window has room, in order. When the window is used up the program's
/// thread blocks in <see cref="Write(ReadOnlySpan{byte})"/> until credit arrives: a slow reader
/// slows the program instead of filling a buffer. Output sitting in a partly full chunk is
/// shipped by <see cref="FlushIfIdle"/> (called on a timer), so it arrives while the program runs.
/// Once <paramref name="cancelled"/> fires, writes are dropped and nothing blocks.
/// </summary>
/// <param name="ship">Sends one chunk; false when it cannot (the requester's connection is gone).</param>
internal sealed class ProcessOutput(int window, Func<byte[], bool> ship, Action onShipFailed, CancellationToken cancelled) : Stream
{
    private readonly Lock _gate = new();
    private readonly byte[] _buffer = new byte[Math.Min(ExecFraming.ChunkBytes, window)];
    // Never disposed: a grant may arrive after the process ended (it has no wait handle to free).
    private readonly SemaphoreSlim _creditArrived = new(0);
    private int _length;
    private long _credit = window;
    private long _lastShipTicks = Environment.TickCount64;

    /// <summary>Output bytes shipped so far.</summary>
    public long Shipped { get; private set; }

    /// <summary>The requester wrote <paramref name="bytes"/> more: wake the program if it waits.</summary>
    public void Grant(int bytes)
    {
        if (bytes <= 0) return;
        lock (_gate) _credit = Math.Min(_credit + bytes, ExecFraming.MaxWindow);
        _creditArrived.Release();
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !cancelled.IsCancellationRequested)
        {
            bool full;
            lock (_gate)
            {
                int n = Math.Min(data.Length, _buffer.Length - _length);
                data[..n].CopyTo(_buffer.AsSpan(_length));
                _length += n;
                data = data[n..];
                full = _length == _buffer.Length;
            }
            if (full) ShipWhenCredit();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Ships what is buffered, waiting for credit (the program's thread, at its end).</summary>
    public override void Flush() => ShipWhenCredit();

    /// <summary>Ships a partly full chunk that has waited <see cref="ExecFraming.FlushDelay"/>, if the window has room; never blocks.</summary>
    public void FlushIfIdle()
    {
        lock (_gate)
        {
            if (_length == 0 || Environment.TickCount64 - _lastShipTicks < ExecFraming.FlushDelay.TotalMilliseconds) return;
            TryShipLocked();
        }
    }

    private void ShipWhenCredit()
    {
        while (!cancelled.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (_length == 0 || TryShipLocked()) return;
            }
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

    /// <summary>Ships the buffer when the window holds it. Under the lock, so chunks leave in order.</summary>
    private bool TryShipLocked()
    {
        if (_credit < _length) return false;
        byte[] chunk = _buffer.AsSpan(0, _length).ToArray();
        _credit -= _length;
        Shipped += _length;
        _length = 0;
        _lastShipTicks = Environment.TickCount64;
        if (!ship(chunk)) onShipFailed();
        return true;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Shipped;
    public override long Position { get => Shipped; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
