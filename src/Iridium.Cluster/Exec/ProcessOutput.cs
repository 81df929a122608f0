using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// A process's standard output: collects what the program prints into chunks and ships each one
/// while the requester's window has room, in order. When the window is used up the program's
/// thread blocks in <see cref="Write(ReadOnlySpan{byte})"/> until credit arrives: a slow reader
/// slows the program instead of filling a buffer. Output sitting in a partly full chunk is
/// shipped by <see cref="FlushIfIdle"/>, which the machine calls between slices of its run
/// (<see cref="Iridium.Vm.Machine.BetweenSlices"/>), so it arrives while the program computes.
/// Only the program's thread writes and ships, so the buffer needs no lock (a lock per print
/// halved the streaming rate); credit arrives from any thread. Once <paramref name="cancelled"/>
/// fires, writes are dropped and nothing blocks. Full chunks come back through <see cref="Recycle"/>
/// once they are encoded for sending, so a streaming program does not allocate (and the
/// collector does not clear) a fresh chunk for every one it fills.
/// </summary>
/// <param name="ship">Sends one chunk; false when it cannot (the requester's connection is gone).</param>
internal sealed class ProcessOutput(int window, int chunkBytes, Func<byte[], bool> ship, Action onShipFailed, CancellationToken cancelled) : WriteOnlyStream
{
    /// <summary>Chunks kept for reuse: enough for the ones between the program and the socket.</summary>
    private const int SpareChunks = 4;

    private readonly int _chunkBytes = Math.Min(chunkBytes, window);
    private readonly Stack<byte[]> _spare = new(SpareChunks);
    private byte[] _buffer = new byte[Math.Min(chunkBytes, window)];
    // Never disposed: a grant may arrive after the process ended (it has no wait handle to free).
    private readonly SemaphoreSlim _creditArrived = new(0);
    private int _length;
    private long _credit = window;
    private long _shipped;
    private long _lastShipTicks = Environment.TickCount64;

    /// <summary>Output bytes shipped so far (readable from any thread).</summary>
    public long Shipped => Volatile.Read(ref _shipped);

    /// <summary>The requester wrote <paramref name="bytes"/> more: wake the program if it waits.</summary>
    public void Grant(int bytes)
    {
        if (bytes <= 0) return;
        long credit = Interlocked.Add(ref _credit, bytes);
        // A requester granting more than it was ever sent does not widen the window past the cap.
        if (credit > ExecFraming.MaxWindow) Interlocked.Add(ref _credit, ExecFraming.MaxWindow - credit);
        _creditArrived.Release();
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
        // The common case, a print that fits: one copy, no checks beyond the room left.
        if (data.Length < _buffer.Length - _length)
        {
            data.CopyTo(_buffer.AsSpan(_length));
            _length += data.Length;
            return;
        }
        while (!data.IsEmpty && !cancelled.IsCancellationRequested)
        {
            int n = Math.Min(data.Length, _buffer.Length - _length);
            data[..n].CopyTo(_buffer.AsSpan(_length));
            _length += n;
            data = data[n..];
            if (_length == _buffer.Length) ShipWhenCredit();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Ships what is buffered, waiting for credit (the program's thread, at its end).</summary>
    public override void Flush() => ShipWhenCredit();

    /// <summary>Ships a partly full chunk that has waited <see cref="ExecFraming.FlushDelay"/>, if the window has room; never blocks.</summary>
    public void FlushIfIdle()
    {
        if (_length == 0 || Environment.TickCount64 - _lastShipTicks < ExecFraming.FlushDelay.TotalMilliseconds) return;
        TryShip();
    }

    private void ShipWhenCredit()
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

    /// <summary>Ships the buffer when the window holds it.</summary>
    private bool TryShip()
    {
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
        _length = 0;
        _lastShipTicks = Environment.TickCount64;
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
