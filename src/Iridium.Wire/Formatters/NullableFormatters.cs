using System.Runtime.CompilerServices;

namespace Iridium.Wire;

/// <summary>
/// Nullable&lt;T&gt; of an unmanaged T (spec 5): the raw image of the Nullable struct, i.e. the
/// hasValue byte, zero padding up to T's alignment, then T's image; null is all zeros.
/// </summary>
public sealed class UnmanagedNullableFormatter<T> : WireFormatter<T?>, IRawImageFormatter where T : unmanaged
{
    // Nullable<T> is { bool hasValue; T value; } with no tail padding, so the value sits at the end.
    private static readonly int s_valueOffset = Unsafe.SizeOf<T?>() - Unsafe.SizeOf<T>();

    public bool IsDenseImage => false;

    public override void Serialize(ref WireWriter writer, T? value)
    {
        if (value is not T inner)
        {
            writer.WriteZeros(Unsafe.SizeOf<T?>());
            return;
        }
        writer.WriteByte(1);
        writer.WriteZeros(s_valueOffset - 1);
        WireFormatterProvider<T>.Formatter.Serialize(ref writer, inner);
    }

    public override T? Deserialize(ref WireReader reader)
    {
        bool hasValue = reader.ReadByte() != 0;
        reader.Skip(s_valueOffset - 1);
        if (!hasValue)
        {
            reader.Skip(Unsafe.SizeOf<T>());
            return null;
        }
        return WireFormatterProvider<T>.Formatter.Deserialize(ref reader);
    }
}

/// <summary>Nullable&lt;T&gt; of a struct holding references (spec 5): 0xFF for null, else 0x01 and T.</summary>
public sealed class NullableFormatter<T> : WireFormatter<T?> where T : struct
{
    public override void Serialize(ref WireWriter writer, T? value)
    {
        if (value is not T inner)
        {
            writer.WriteNullObjectHeader();
            return;
        }
        writer.WriteObjectHeader(1);
        WireFormatterProvider<T>.Formatter.Serialize(ref writer, inner);
    }

    public override T? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadObjectHeader(out byte count)) return null;
        if (count != 1) throw new WireFormatException($"Nullable header must be 1 or 255, got {count}.");
        return WireFormatterProvider<T>.Formatter.Deserialize(ref reader);
    }
}
