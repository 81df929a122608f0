// Value tuples of arity 1 to 7 (spec 7). Written out by hand-run script: the arities differ
// only in their type parameter lists.
using System.Runtime.CompilerServices;

namespace Iridium.Wire;

/// <summary>
/// ValueTuple<T1>: the items back to back; when every item is unmanaged, the tuple's raw image instead
/// (its runtime layout, which is automatic for ValueTuple), with padding zeroed.
/// </summary>
public sealed class ValueTupleFormatter<T1> : WireFormatter<ValueTuple<T1>>
{
    private static readonly bool s_isImage = !(RuntimeHelpers.IsReferenceOrContainsReferences<T1>());

    public override void Serialize(ref WireWriter writer, ValueTuple<T1> value)
    {
        if (s_isImage)
        {
            // Copy item by item into a zeroed tuple so padding bytes are zero.
            ValueTuple<T1> image = default;
            image.Item1 = value.Item1;
            var span = writer.GetSpan(Unsafe.SizeOf<ValueTuple<T1>>());
            Unsafe.WriteUnaligned(ref span[0], image);
            writer.Advance(Unsafe.SizeOf<ValueTuple<T1>>());
            return;
        }
        WireFormatterProvider<T1>.Formatter.Serialize(ref writer, value.Item1);
    }

    public override ValueTuple<T1> Deserialize(ref WireReader reader)
    {
        if (s_isImage)
        {
            var bytes = reader.ReadRaw(Unsafe.SizeOf<ValueTuple<T1>>());
            return Unsafe.ReadUnaligned<ValueTuple<T1>>(ref Unsafe.AsRef(in bytes[0]));
        }
        ValueTuple<T1> result = default;
        result.Item1 = WireFormatterProvider<T1>.Formatter.Deserialize(ref reader)!;
        return result;
    }
}

/// <summary>
/// ValueTuple<T1, T2>: the items back to back; when every item is unmanaged, the tuple's raw image instead
/// (its runtime layout, which is automatic for ValueTuple), with padding zeroed.
/// </summary>
public sealed class ValueTupleFormatter<T1, T2> : WireFormatter<ValueTuple<T1, T2>>
{
    private static readonly bool s_isImage = !(RuntimeHelpers.IsReferenceOrContainsReferences<T1>() || RuntimeHelpers.IsReferenceOrContainsReferences<T2>());

    public override void Serialize(ref WireWriter writer, ValueTuple<T1, T2> value)
    {
        if (s_isImage)
        {
            // Copy item by item into a zeroed tuple so padding bytes are zero.
            ValueTuple<T1, T2> image = default;
            image.Item1 = value.Item1;
            image.Item2 = value.Item2;
            var span = writer.GetSpan(Unsafe.SizeOf<ValueTuple<T1, T2>>());
            Unsafe.WriteUnaligned(ref span[0], image);
            writer.Advance(Unsafe.SizeOf<ValueTuple<T1, T2>>());
            return;
        }
        WireFormatterProvider<T1>.Formatter.Serialize(ref writer, value.Item1);
        WireFormatterProvider<T2>.Formatter.Serialize(ref writer, value.Item2);
    }

    public override ValueTuple<T1, T2> Deserialize(ref WireReader reader)
    {
        if (s_isImage)
        {
            var bytes = reader.ReadRaw(Unsafe.SizeOf<ValueTuple<T1, T2>>());
            return Unsafe.ReadUnaligned<ValueTuple<T1, T2>>(ref Unsafe.AsRef(in bytes[0]));
        }
        ValueTuple<T1, T2> result = default;
        result.Item1 = WireFormatterProvider<T1>.Formatter.Deserialize(ref reader)!;
        result.Item2 = WireFormatterProvider<T2>.Formatter.Deserialize(ref reader)!;
        return result;
    }
}

/// <summary>
/// ValueTuple<T1, T2, T3>: the items back to back; when every item is unmanaged, the tuple's raw image instead
/// (its runtime layout, which is automatic for ValueTuple), with padding zeroed.
/// </summary>
public sealed class ValueTupleFormatter<T1, T2, T3> : WireFormatter<ValueTuple<T1, T2, T3>>
{
    private static readonly bool s_isImage = !(RuntimeHelpers.IsReferenceOrContainsReferences<T1>() || RuntimeHelpers.IsReferenceOrContainsReferences<T2>() || RuntimeHelpers.IsReferenceOrContainsReferences<T3>());

    public override void Serialize(ref WireWriter writer, ValueTuple<T1, T2, T3> value)
    {
        if (s_isImage)
        {
            // Copy item by item into a zeroed tuple so padding bytes are zero.
            ValueTuple<T1, T2, T3> image = default;
            image.Item1 = value.Item1;
            image.Item2 = value.Item2;
            image.Item3 = value.Item3;
            var span = writer.GetSpan(Unsafe.SizeOf<ValueTuple<T1, T2, T3>>());
            Unsafe.WriteUnaligned(ref span[0], image);
            writer.Advance(Unsafe.SizeOf<ValueTuple<T1, T2, T3>>());
            return;
        }
        WireFormatterProvider<T1>.Formatter.Serialize(ref writer, value.Item1);
        WireFormatterProvider<T2>.Formatter.Serialize(ref writer, value.Item2);
        WireFormatterProvider<T3>.Formatter.Serialize(ref writer, value.Item3);
    }

    public override ValueTuple<T1, T2, T3> Deserialize(ref WireReader reader)
    {
        if (s_isImage)
        {
            var bytes = reader.ReadRaw(Unsafe.SizeOf<ValueTuple<T1, T2, T3>>());
            return Unsafe.ReadUnaligned<ValueTuple<T1, T2, T3>>(ref Unsafe.AsRef(in bytes[0]));
        }
        ValueTuple<T1, T2, T3> result = default;
        result.Item1 = WireFormatterProvider<T1>.Formatter.Deserialize(ref reader)!;
        result.Item2 = WireFormatterProvider<T2>.Formatter.Deserialize(ref reader)!;
        result.Item3 = WireFormatterProvider<T3>.Formatter.Deserialize(ref reader)!;
        return result;
    }
}

/// <summary>
/// ValueTuple<T1, T2, T3, T4>: the items back to back; when every item is unmanaged, the tuple's raw image instead
/// (its runtime layout, which is automatic for ValueTuple), with padding zeroed.
/// </summary>
public sealed class ValueTupleFormatter<T1, T2, T3, T4> : WireFormatter<ValueTuple<T1, T2, T3, T4>>
{
    private static readonly bool s_isImage = !(RuntimeHelpers.IsReferenceOrContainsReferences<T1>() || RuntimeHelpers.IsReferenceOrContainsReferences<T2>() || RuntimeHelpers.IsReferenceOrContainsReferences<T3>() || RuntimeHelpers.IsReferenceOrContainsReferences<T4>());

    public override void Serialize(ref WireWriter writer, ValueTuple<T1, T2, T3, T4> value)
    {
        if (s_isImage)
        {
            // Copy item by item into a zeroed tuple so padding bytes are zero.
            ValueTuple<T1, T2, T3, T4> image = default;
            image.Item1 = value.Item1;
            image.Item2 = value.Item2;
            image.Item3 = value.Item3;
            image.Item4 = value.Item4;
            var span = writer.GetSpan(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4>>());
            Unsafe.WriteUnaligned(ref span[0], image);
            writer.Advance(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4>>());
            return;
        }
        WireFormatterProvider<T1>.Formatter.Serialize(ref writer, value.Item1);
        WireFormatterProvider<T2>.Formatter.Serialize(ref writer, value.Item2);
        WireFormatterProvider<T3>.Formatter.Serialize(ref writer, value.Item3);
        WireFormatterProvider<T4>.Formatter.Serialize(ref writer, value.Item4);
    }

    public override ValueTuple<T1, T2, T3, T4> Deserialize(ref WireReader reader)
    {
        if (s_isImage)
        {
            var bytes = reader.ReadRaw(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4>>());
            return Unsafe.ReadUnaligned<ValueTuple<T1, T2, T3, T4>>(ref Unsafe.AsRef(in bytes[0]));
        }
        ValueTuple<T1, T2, T3, T4> result = default;
        result.Item1 = WireFormatterProvider<T1>.Formatter.Deserialize(ref reader)!;
        result.Item2 = WireFormatterProvider<T2>.Formatter.Deserialize(ref reader)!;
        result.Item3 = WireFormatterProvider<T3>.Formatter.Deserialize(ref reader)!;
        result.Item4 = WireFormatterProvider<T4>.Formatter.Deserialize(ref reader)!;
        return result;
    }
}

/// <summary>
/// ValueTuple<T1, T2, T3, T4, T5>: the items back to back; when every item is unmanaged, the tuple's raw image instead
/// (its runtime layout, which is automatic for ValueTuple), with padding zeroed.
/// </summary>
public sealed class ValueTupleFormatter<T1, T2, T3, T4, T5> : WireFormatter<ValueTuple<T1, T2, T3, T4, T5>>
{
    private static readonly bool s_isImage = !(RuntimeHelpers.IsReferenceOrContainsReferences<T1>() || RuntimeHelpers.IsReferenceOrContainsReferences<T2>() || RuntimeHelpers.IsReferenceOrContainsReferences<T3>() || RuntimeHelpers.IsReferenceOrContainsReferences<T4>() || RuntimeHelpers.IsReferenceOrContainsReferences<T5>());

    public override void Serialize(ref WireWriter writer, ValueTuple<T1, T2, T3, T4, T5> value)
    {
        if (s_isImage)
        {
            // Copy item by item into a zeroed tuple so padding bytes are zero.
            ValueTuple<T1, T2, T3, T4, T5> image = default;
            image.Item1 = value.Item1;
            image.Item2 = value.Item2;
            image.Item3 = value.Item3;
            image.Item4 = value.Item4;
            image.Item5 = value.Item5;
            var span = writer.GetSpan(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5>>());
            Unsafe.WriteUnaligned(ref span[0], image);
            writer.Advance(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5>>());
            return;
        }
        WireFormatterProvider<T1>.Formatter.Serialize(ref writer, value.Item1);
        WireFormatterProvider<T2>.Formatter.Serialize(ref writer, value.Item2);
        WireFormatterProvider<T3>.Formatter.Serialize(ref writer, value.Item3);
        WireFormatterProvider<T4>.Formatter.Serialize(ref writer, value.Item4);
        WireFormatterProvider<T5>.Formatter.Serialize(ref writer, value.Item5);
    }

    public override ValueTuple<T1, T2, T3, T4, T5> Deserialize(ref WireReader reader)
    {
        if (s_isImage)
        {
            var bytes = reader.ReadRaw(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5>>());
            return Unsafe.ReadUnaligned<ValueTuple<T1, T2, T3, T4, T5>>(ref Unsafe.AsRef(in bytes[0]));
        }
        ValueTuple<T1, T2, T3, T4, T5> result = default;
        result.Item1 = WireFormatterProvider<T1>.Formatter.Deserialize(ref reader)!;
        result.Item2 = WireFormatterProvider<T2>.Formatter.Deserialize(ref reader)!;
        result.Item3 = WireFormatterProvider<T3>.Formatter.Deserialize(ref reader)!;
        result.Item4 = WireFormatterProvider<T4>.Formatter.Deserialize(ref reader)!;
        result.Item5 = WireFormatterProvider<T5>.Formatter.Deserialize(ref reader)!;
        return result;
    }
}

/// <summary>
/// ValueTuple<T1, T2, T3, T4, T5, T6>: the items back to back; when every item is unmanaged, the tuple's raw image instead
/// (its runtime layout, which is automatic for ValueTuple), with padding zeroed.
/// </summary>
public sealed class ValueTupleFormatter<T1, T2, T3, T4, T5, T6> : WireFormatter<ValueTuple<T1, T2, T3, T4, T5, T6>>
{
    private static readonly bool s_isImage = !(RuntimeHelpers.IsReferenceOrContainsReferences<T1>() || RuntimeHelpers.IsReferenceOrContainsReferences<T2>() || RuntimeHelpers.IsReferenceOrContainsReferences<T3>() || RuntimeHelpers.IsReferenceOrContainsReferences<T4>() || RuntimeHelpers.IsReferenceOrContainsReferences<T5>() || RuntimeHelpers.IsReferenceOrContainsReferences<T6>());

    public override void Serialize(ref WireWriter writer, ValueTuple<T1, T2, T3, T4, T5, T6> value)
    {
        if (s_isImage)
        {
            // Copy item by item into a zeroed tuple so padding bytes are zero.
            ValueTuple<T1, T2, T3, T4, T5, T6> image = default;
            image.Item1 = value.Item1;
            image.Item2 = value.Item2;
            image.Item3 = value.Item3;
            image.Item4 = value.Item4;
            image.Item5 = value.Item5;
            image.Item6 = value.Item6;
            var span = writer.GetSpan(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5, T6>>());
            Unsafe.WriteUnaligned(ref span[0], image);
            writer.Advance(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5, T6>>());
            return;
        }
        WireFormatterProvider<T1>.Formatter.Serialize(ref writer, value.Item1);
        WireFormatterProvider<T2>.Formatter.Serialize(ref writer, value.Item2);
        WireFormatterProvider<T3>.Formatter.Serialize(ref writer, value.Item3);
        WireFormatterProvider<T4>.Formatter.Serialize(ref writer, value.Item4);
        WireFormatterProvider<T5>.Formatter.Serialize(ref writer, value.Item5);
        WireFormatterProvider<T6>.Formatter.Serialize(ref writer, value.Item6);
    }

    public override ValueTuple<T1, T2, T3, T4, T5, T6> Deserialize(ref WireReader reader)
    {
        if (s_isImage)
        {
            var bytes = reader.ReadRaw(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5, T6>>());
            return Unsafe.ReadUnaligned<ValueTuple<T1, T2, T3, T4, T5, T6>>(ref Unsafe.AsRef(in bytes[0]));
        }
        ValueTuple<T1, T2, T3, T4, T5, T6> result = default;
        result.Item1 = WireFormatterProvider<T1>.Formatter.Deserialize(ref reader)!;
        result.Item2 = WireFormatterProvider<T2>.Formatter.Deserialize(ref reader)!;
        result.Item3 = WireFormatterProvider<T3>.Formatter.Deserialize(ref reader)!;
        result.Item4 = WireFormatterProvider<T4>.Formatter.Deserialize(ref reader)!;
        result.Item5 = WireFormatterProvider<T5>.Formatter.Deserialize(ref reader)!;
        result.Item6 = WireFormatterProvider<T6>.Formatter.Deserialize(ref reader)!;
        return result;
    }
}

/// <summary>
/// ValueTuple<T1, T2, T3, T4, T5, T6, T7>: the items back to back; when every item is unmanaged, the tuple's raw image instead
/// (its runtime layout, which is automatic for ValueTuple), with padding zeroed.
/// </summary>
public sealed class ValueTupleFormatter<T1, T2, T3, T4, T5, T6, T7> : WireFormatter<ValueTuple<T1, T2, T3, T4, T5, T6, T7>>
{
    private static readonly bool s_isImage = !(RuntimeHelpers.IsReferenceOrContainsReferences<T1>() || RuntimeHelpers.IsReferenceOrContainsReferences<T2>() || RuntimeHelpers.IsReferenceOrContainsReferences<T3>() || RuntimeHelpers.IsReferenceOrContainsReferences<T4>() || RuntimeHelpers.IsReferenceOrContainsReferences<T5>() || RuntimeHelpers.IsReferenceOrContainsReferences<T6>() || RuntimeHelpers.IsReferenceOrContainsReferences<T7>());

    public override void Serialize(ref WireWriter writer, ValueTuple<T1, T2, T3, T4, T5, T6, T7> value)
    {
        if (s_isImage)
        {
            // Copy item by item into a zeroed tuple so padding bytes are zero.
            ValueTuple<T1, T2, T3, T4, T5, T6, T7> image = default;
            image.Item1 = value.Item1;
            image.Item2 = value.Item2;
            image.Item3 = value.Item3;
            image.Item4 = value.Item4;
            image.Item5 = value.Item5;
            image.Item6 = value.Item6;
            image.Item7 = value.Item7;
            var span = writer.GetSpan(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5, T6, T7>>());
            Unsafe.WriteUnaligned(ref span[0], image);
            writer.Advance(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5, T6, T7>>());
            return;
        }
        WireFormatterProvider<T1>.Formatter.Serialize(ref writer, value.Item1);
        WireFormatterProvider<T2>.Formatter.Serialize(ref writer, value.Item2);
        WireFormatterProvider<T3>.Formatter.Serialize(ref writer, value.Item3);
        WireFormatterProvider<T4>.Formatter.Serialize(ref writer, value.Item4);
        WireFormatterProvider<T5>.Formatter.Serialize(ref writer, value.Item5);
        WireFormatterProvider<T6>.Formatter.Serialize(ref writer, value.Item6);
        WireFormatterProvider<T7>.Formatter.Serialize(ref writer, value.Item7);
    }

    public override ValueTuple<T1, T2, T3, T4, T5, T6, T7> Deserialize(ref WireReader reader)
    {
        if (s_isImage)
        {
            var bytes = reader.ReadRaw(Unsafe.SizeOf<ValueTuple<T1, T2, T3, T4, T5, T6, T7>>());
            return Unsafe.ReadUnaligned<ValueTuple<T1, T2, T3, T4, T5, T6, T7>>(ref Unsafe.AsRef(in bytes[0]));
        }
        ValueTuple<T1, T2, T3, T4, T5, T6, T7> result = default;
        result.Item1 = WireFormatterProvider<T1>.Formatter.Deserialize(ref reader)!;
        result.Item2 = WireFormatterProvider<T2>.Formatter.Deserialize(ref reader)!;
        result.Item3 = WireFormatterProvider<T3>.Formatter.Deserialize(ref reader)!;
        result.Item4 = WireFormatterProvider<T4>.Formatter.Deserialize(ref reader)!;
        result.Item5 = WireFormatterProvider<T5>.Formatter.Deserialize(ref reader)!;
        result.Item6 = WireFormatterProvider<T6>.Formatter.Deserialize(ref reader)!;
        result.Item7 = WireFormatterProvider<T7>.Formatter.Deserialize(ref reader)!;
        return result;
    }
}
