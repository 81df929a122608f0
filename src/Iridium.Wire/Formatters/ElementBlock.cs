using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Iridium.Wire;

/// <summary>
/// Collections of unmanaged elements are one raw block of count x sizeof(T) bytes (spec 6).
/// When the element formatter says its image has no padding, the block is copied at once;
/// otherwise each element goes through its formatter (same bytes, padding zeroed).
/// </summary>
internal static class ElementBlock
{
    /// <summary>The fewest bytes one element can take: its image size if unmanaged, else 1.</summary>
    public static int MinSize<T>()
        => RuntimeHelpers.IsReferenceOrContainsReferences<T>() ? 1 : Unsafe.SizeOf<T>();

    private static bool IsDense<T>()
        => !RuntimeHelpers.IsReferenceOrContainsReferences<T>()
           && WireFormatterProvider<T>.Formatter is IRawImageFormatter { IsDenseImage: true };

    public static void Write<T>(ref WireWriter writer, ReadOnlySpan<T> items)
    {
        if (IsDense<T>())
        {
            writer.WriteRaw(MemoryMarshal.CreateReadOnlySpan(
                ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(items)), items.Length * Unsafe.SizeOf<T>()));
            return;
        }
        var formatter = WireFormatterProvider<T>.Formatter;
        for (int i = 0; i < items.Length; i++) formatter.Serialize(ref writer, items[i]);
    }

    public static void Read<T>(ref WireReader reader, Span<T> destination)
    {
        if (IsDense<T>())
        {
            var bytes = reader.ReadRaw(destination.Length * Unsafe.SizeOf<T>());
            bytes.CopyTo(MemoryMarshal.CreateSpan(
                ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(destination)), bytes.Length));
            return;
        }
        var formatter = WireFormatterProvider<T>.Formatter;
        for (int i = 0; i < destination.Length; i++) destination[i] = formatter.Deserialize(ref reader)!;
    }
}
