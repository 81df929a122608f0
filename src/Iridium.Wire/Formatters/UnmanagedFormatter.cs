using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Iridium.Wire;

/// <summary>
/// An unmanaged value as its raw memory image (spec 2.1, 2.3). Padding ranges, computed by the
/// generator from the struct layout, are written as zero so output does not depend on whatever
/// was in memory; readers ignore them.
/// </summary>
public sealed class UnmanagedFormatter<T> : WireFormatter<T>, IRawImageFormatter where T : unmanaged
{
    private readonly int[] _padding;

    public UnmanagedFormatter()
        : this(0, Array.Empty<int>())
    {
    }

    /// <param name="expectedSize">The size the generator computed; if the runtime disagrees the padding list is not trusted.</param>
    /// <param name="padding">Pairs of (offset, length) of padding bytes inside the image.</param>
    public UnmanagedFormatter(int expectedSize, int[] padding)
    {
        _padding = expectedSize == Unsafe.SizeOf<T>() ? padding : Array.Empty<int>();
    }

    public bool IsDenseImage => _padding.Length == 0;

    public override void Serialize(ref WireWriter writer, T value)
    {
        int size = Unsafe.SizeOf<T>();
        Span<byte> span = writer.GetSpan(size);
        Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(span), value);
        for (int i = 0; i < _padding.Length; i += 2) span.Slice(_padding[i], _padding[i + 1]).Clear();
        writer.Advance(size);
    }

    public override T Deserialize(ref WireReader reader) => reader.ReadUnmanaged<T>();
}
