using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Unicode;
using Iridium.Wire.Internal;

namespace Iridium.Wire;

/// <summary>
/// Writes MemoryPack-format bytes into an <see cref="IBufferWriter{T}"/>. It keeps the span the
/// output handed out and advances the output only when it needs more room or on
/// <see cref="Flush"/>, so small writes cost a bounds check and a store. Mirror of <see cref="WireReader"/>.
/// </summary>
public ref struct WireWriter
{
    private readonly IBufferWriter<byte> _output;
    private readonly WireSerializerOptions _options;
    private Span<byte> _span;
    private int _buffered;
    private int _depth;
    private WireWriteState? _state;

    public WireWriter(IBufferWriter<byte> output, WireSerializerOptions options)
        : this(output, options, null, 0)
    {
    }

    private WireWriter(IBufferWriter<byte> output, WireSerializerOptions options, WireWriteState? state, int depth)
    {
        _output = output;
        _options = options;
        _state = state;
        _depth = depth;
        _span = default;
        _buffered = 0;
    }

    public readonly WireSerializerOptions Options => _options;

    /// <summary>A span of at least <paramref name="sizeHint"/> free bytes; commit with <see cref="Advance"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int sizeHint)
    {
        if (_span.Length - _buffered < sizeHint) Grow(sizeHint);
        return _span.Slice(_buffered);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _buffered += count;

    /// <summary>
    /// The first of <paramref name="size"/> free bytes, for generated code that writes a
    /// fixed-size run with plain stores; commit with <see cref="Advance"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte Reserve(int size) => ref MemoryMarshal.GetReference(GetSpan(size));

    /// <summary>Hands every buffered byte to the output. Call once at the end.</summary>
    public void Flush()
    {
        if (_buffered > 0) _output.Advance(_buffered);
        _buffered = 0;
        _span = default;
    }

    private void Grow(int sizeHint)
    {
        if (_buffered > 0) _output.Advance(_buffered);
        _buffered = 0;
        _span = _output.GetSpan(Math.Max(sizeHint, 256));
        if (_span.Length < sizeHint) throw new InvalidOperationException("The buffer writer returned a span smaller than requested.");
    }

    // ---- fixed-size values -------------------------------------------------------------

    /// <summary>Raw little-endian image of an unmanaged value (spec 2.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUnmanaged<T>(T value) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        Span<byte> span = GetSpan(size);
        Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(span), value);
        _buffered += size;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        Span<byte> span = GetSpan(1);
        span[0] = value;
        _buffered++;
    }

    public void WriteZeros(int count)
    {
        if (count <= 0) return;
        GetSpan(count).Slice(0, count).Clear();
        _buffered += count;
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _buffered += bytes.Length;
    }

    // ---- headers (spec 1) -------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteObjectHeader(byte memberCount) => WriteByte(memberCount);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteNullObjectHeader() => WriteByte(WireConstants.NullObject);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteCollectionHeader(int length) => WriteUnmanaged(length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteNullCollectionHeader() => WriteUnmanaged(WireConstants.NullCollection);

    /// <summary>One byte below 250, else 0xFA and a uint16 (spec 8).</summary>
    public void WriteUnionTag(ushort tag)
    {
        if (tag < WireConstants.WideTag)
        {
            WriteByte((byte)tag);
            return;
        }
        Span<byte> span = GetSpan(3);
        span[0] = WireConstants.WideTag;
        Unsafe.WriteUnaligned(ref span[1], tag);
        _buffered += 3;
    }

    // ---- VarInt (spec 2.2) --------------------------------------------------------------

    /// <summary>Shortest form for a signed int: 1 byte, 0x84+int16, or 0x82+int32 (0x86+sbyte for -121..-128).</summary>
    public void WriteVarInt(int value)
    {
        if (value >= VarIntCodes.MinSingleValue && value <= sbyte.MaxValue)
        {
            WriteByte(unchecked((byte)(sbyte)value));
        }
        else if (value >= sbyte.MinValue && value < 0)
        {
            WriteByte(unchecked((byte)VarIntCodes.SByte));
            WriteByte(unchecked((byte)(sbyte)value));
        }
        else if (value >= short.MinValue && value <= short.MaxValue)
        {
            WriteByte(unchecked((byte)VarIntCodes.Int16));
            WriteUnmanaged((short)value);
        }
        else
        {
            WriteByte(unchecked((byte)VarIntCodes.Int32));
            WriteUnmanaged(value);
        }
    }

    /// <summary>Shortest form for an unsigned int: 1 byte, 0x85+uint16, or 0x83+uint32.</summary>
    public void WriteVarUInt(uint value)
    {
        if (value <= (uint)sbyte.MaxValue)
        {
            WriteByte((byte)value);
        }
        else if (value <= ushort.MaxValue)
        {
            WriteByte(unchecked((byte)VarIntCodes.UInt16));
            WriteUnmanaged((ushort)value);
        }
        else
        {
            WriteByte(unchecked((byte)VarIntCodes.UInt32));
            WriteUnmanaged(value);
        }
    }

    // ---- strings (spec 3) --------------------------------------------------------------

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteUnmanaged(WireConstants.NullCollection);
            return;
        }
        if (value.Length == 0)
        {
            WriteUnmanaged(0);
            return;
        }
        if (_options.StringEncoding == StringEncoding.Utf16) WriteUtf16(value);
        else WriteUtf8(value);
    }

    private void WriteUtf16(string value)
    {
        int byteCount = checked(value.Length * 2);
        Span<byte> span = GetSpan(4 + byteCount);
        Unsafe.WriteUnaligned(ref span[0], value.Length);
        MemoryMarshal.AsBytes(value.AsSpan()).CopyTo(span.Slice(4));
        _buffered += 4 + byteCount;
    }

    private void WriteUtf8(string value)
    {
        // Reserve the worst case (3 bytes per UTF-16 unit), encode, then fill in the byte count.
        int maxBytes = checked(value.Length * 3);
        Span<byte> span = GetSpan(8 + maxBytes);
        if (value.Length <= ShortAsciiLimit && TryWriteShortAscii(value, span.Slice(8)))
        {
            Unsafe.WriteUnaligned(ref span[0], ~value.Length);
            Unsafe.WriteUnaligned(ref span[4], value.Length);
            _buffered += 8 + value.Length;
            return;
        }
        var status = Utf8.FromUtf16(value, span.Slice(8), out _, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            // As MemoryPack does: an unpaired surrogate has no UTF-8 form, so refuse to write it.
            throw new ArgumentException("The string contains an unpaired surrogate and cannot be written as UTF-8.", nameof(value));
        }
        Unsafe.WriteUnaligned(ref span[0], ~written);
        Unsafe.WriteUnaligned(ref span[4], value.Length);
        _buffered += 8 + written;
    }

    // Cluster messages are mostly short ASCII (names, hosts, ids): a plain loop beats the
    // transcoder's setup cost there. Longer or non-ASCII strings take the vectorized path.
    private const int ShortAsciiLimit = 32;

    private static bool TryWriteShortAscii(string value, Span<byte> destination)
    {
        ref char source = ref MemoryMarshal.GetReference(value.AsSpan());
        ref byte target = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < value.Length; i++)
        {
            char c = Unsafe.Add(ref source, i);
            if (c >= 0x80) return false;
            Unsafe.Add(ref target, i) = (byte)c;
        }
        return true;
    }

    // ---- nesting and references -----------------------------------------------------------

    /// <summary>Counts one level of nesting; a graph deeper than MaxDepth (e.g. a cycle in a non-circular type) is refused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnterDepth()
    {
        if (++_depth > _options.MaxDepth) ThrowTooDeep();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ExitDepth() => _depth--;

    private readonly void ThrowTooDeep()
        => throw new InvalidOperationException($"The object graph is nested deeper than MaxDepth ({_options.MaxDepth}); a circular graph needs GenerateType.CircularReference.");

    /// <summary>
    /// A writer into <paramref name="scratch"/> that shares this writer's options, depth and
    /// reference ids; version-tolerant objects write members there to learn their lengths.
    /// </summary>
    public WireWriter CreateNestedWriter(IBufferWriter<byte> scratch)
    {
        _state ??= new WireWriteState();
        return new WireWriter(scratch, _options, _state, _depth);
    }

    /// <summary>
    /// For circular-reference objects (spec 10): if <paramref name="value"/> was written before in
    /// this call, writes 0xFA and its id and returns true; otherwise gives it the next id.
    /// </summary>
    public bool TryWriteBackReference(object value, out uint id)
    {
        _state ??= new WireWriteState();
        if (_state.TryGetOrAddId(value, out id))
        {
            WriteByte(WireConstants.ReferenceMarker);
            WriteVarUInt(id);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Writes a version-tolerant header (count, each slot's length) and, for circular-reference
    /// objects, the id, then the member bytes collected in <paramref name="members"/>.
    /// </summary>
    public void WriteVersionTolerantBody(VersionTolerantBuffer members, uint? referenceId)
    {
        int slots = members.SlotCount;
        WriteObjectHeader((byte)slots);
        for (int i = 0; i < slots; i++) WriteVarInt(members.LengthOf(i));
        if (referenceId is uint id) WriteVarUInt(id);
        WriteRaw(members.WrittenSpan);
    }
}
