using System.Buffers;

namespace Iridium.Wire;

/// <summary>
/// Scratch space for one version-tolerant object: its members are written here first, because
/// the header lists every member's byte length before any member (spec 9). Instances are pooled
/// per thread; always dispose (the generated code uses <c>using</c>).
/// </summary>
public sealed class VersionTolerantBuffer : IBufferWriter<byte>, IDisposable
{
    [ThreadStatic]
    private static VersionTolerantBuffer? t_free;

    private VersionTolerantBuffer? _nextFree;
    private byte[] _buffer = new byte[256];
    private readonly int[] _lengths = new int[256];
    private int _written;
    private int _lastEnd;

    private VersionTolerantBuffer()
    {
    }

    /// <summary>Number of member slots (highest order + 1).</summary>
    public int SlotCount { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public static VersionTolerantBuffer Rent(int slotCount)
    {
        var buffer = t_free;
        if (buffer is null) buffer = new VersionTolerantBuffer();
        else t_free = buffer._nextFree;
        buffer._nextFree = null;
        buffer._written = 0;
        buffer._lastEnd = 0;
        buffer.SlotCount = slotCount;
        Array.Clear(buffer._lengths, 0, slotCount);
        return buffer;
    }

    /// <summary>Records that everything written through <paramref name="inner"/> since the last slot belongs to <paramref name="slot"/>.</summary>
    public void EndSlot(ref WireWriter inner, int slot)
    {
        inner.Flush();
        _lengths[slot] = _written - _lastEnd;
        _lastEnd = _written;
    }

    public int LengthOf(int slot) => _lengths[slot];

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        int needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(needed, checked(_buffer.Length * 2)));
    }

    public void Dispose()
    {
        // Large buffers are dropped rather than kept alive on the thread.
        if (_buffer.Length > 1024 * 1024) _buffer = new byte[256];
        _nextFree = t_free;
        t_free = this;
    }
}
