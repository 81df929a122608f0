using System.Buffers;
using Iridium.Wire.Internal;

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
    private readonly ReusableBufferWriter _bytes = new(256);
    private readonly int[] _lengths = new int[256];
    private int _lastEnd;

    private VersionTolerantBuffer()
    {
    }

    /// <summary>Number of member slots (highest order + 1).</summary>
    public int SlotCount { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _bytes.WrittenSpan;

    public static VersionTolerantBuffer Rent(int slotCount)
    {
        var buffer = t_free;
        if (buffer is null) buffer = new VersionTolerantBuffer();
        else t_free = buffer._nextFree;
        buffer._nextFree = null;
        buffer._bytes.Reset();
        buffer._lastEnd = 0;
        buffer.SlotCount = slotCount;
        Array.Clear(buffer._lengths, 0, slotCount);
        return buffer;
    }

    /// <summary>Records that everything written through <paramref name="inner"/> since the last slot belongs to <paramref name="slot"/>.</summary>
    public void EndSlot(ref WireWriter inner, int slot)
    {
        inner.Flush();
        _lengths[slot] = _bytes.WrittenCount - _lastEnd;
        _lastEnd = _bytes.WrittenCount;
    }

    public int LengthOf(int slot) => _lengths[slot];

    public void Advance(int count) => _bytes.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0) => _bytes.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => _bytes.GetSpan(sizeHint);

    public void Dispose()
    {
        _bytes.Reset(); // also drops a large buffer rather than keep it alive on the thread
        _nextFree = t_free;
        t_free = this;
    }
}
