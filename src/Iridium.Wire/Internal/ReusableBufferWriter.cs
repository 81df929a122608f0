using System.Buffers;

namespace Iridium.Wire.Internal;

/// <summary>
/// A growable byte buffer meant to be reused: kept per thread by
/// <see cref="WireSerializer.Serialize{T}(T, WireSerializerOptions?)"/> and inside each pooled
/// <see cref="VersionTolerantBuffer"/>.
/// </summary>
internal sealed class ReusableBufferWriter(int initialSize = 512) : IBufferWriter<byte>
{
    private const int KeepAtMost = 1024 * 1024;

    private byte[] _buffer = new byte[initialSize];
    private int _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public int WrittenCount => _written;

    public void Reset()
    {
        _written = 0;
        // Do not pin a huge buffer to the thread after one large message.
        if (_buffer.Length > KeepAtMost) _buffer = new byte[initialSize];
    }

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
        if (needed > _buffer.Length) Array.Resize(ref _buffer, Math.Max(needed, checked(_buffer.Length * 2)));
    }
}
