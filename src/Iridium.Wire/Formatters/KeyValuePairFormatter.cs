using System.Runtime.CompilerServices;

namespace Iridium.Wire;

/// <summary>KeyValuePair&lt;K,V&gt; (spec 7): key then value, or the raw pair image when both are unmanaged.</summary>
public sealed class KeyValuePairFormatter<TKey, TValue> : WireFormatter<KeyValuePair<TKey, TValue>>
{
    public override void Serialize(ref WireWriter writer, KeyValuePair<TKey, TValue> value)
        => KeyValuePairCodec<TKey, TValue>.Write(ref writer, value.Key, value.Value);

    public override KeyValuePair<TKey, TValue> Deserialize(ref WireReader reader)
    {
        KeyValuePairCodec<TKey, TValue>.Read(ref reader, out var key, out var value);
        return new KeyValuePair<TKey, TValue>(key, value);
    }
}

/// <summary>
/// One key/value pair, as dictionaries and KeyValuePair write it. When key and value are both
/// unmanaged the pair is the raw image of KeyValuePair&lt;K,V&gt; (spec 6): key, padding to the
/// value's alignment, value, tail padding; the layout is measured on a struct shaped like
/// KeyValuePair, and padding is written as zero.
/// </summary>
internal static class KeyValuePairCodec<TKey, TValue>
{
    private struct Shape
    {
        public TKey Key;
        public TValue Value;
    }

    private static readonly bool s_isImage =
        !RuntimeHelpers.IsReferenceOrContainsReferences<TKey>() && !RuntimeHelpers.IsReferenceOrContainsReferences<TValue>();

    private static readonly int s_valueOffset = MeasureValueOffset();

    public static int MinSize => s_isImage ? Unsafe.SizeOf<Shape>() : 2;

    private static int MeasureValueOffset()
    {
        Shape shape = default;
        return (int)Unsafe.ByteOffset(ref Unsafe.As<TKey, byte>(ref shape.Key), ref Unsafe.As<TValue, byte>(ref shape.Value));
    }

    public static void Write(ref WireWriter writer, TKey key, TValue value)
    {
        WireFormatterProvider<TKey>.Formatter.Serialize(ref writer, key);
        if (s_isImage) writer.WriteZeros(s_valueOffset - Unsafe.SizeOf<TKey>());
        WireFormatterProvider<TValue>.Formatter.Serialize(ref writer, value);
        if (s_isImage) writer.WriteZeros(Unsafe.SizeOf<Shape>() - s_valueOffset - Unsafe.SizeOf<TValue>());
    }

    public static void Read(ref WireReader reader, out TKey key, out TValue value)
    {
        key = WireFormatterProvider<TKey>.Formatter.Deserialize(ref reader)!;
        if (s_isImage) reader.Skip(s_valueOffset - Unsafe.SizeOf<TKey>());
        value = WireFormatterProvider<TValue>.Formatter.Deserialize(ref reader)!;
        if (s_isImage) reader.Skip(Unsafe.SizeOf<Shape>() - s_valueOffset - Unsafe.SizeOf<TValue>());
    }
}
