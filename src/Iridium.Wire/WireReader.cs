using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using Iridium.Wire.Internal;

namespace Iridium.Wire;

/// <summary>
/// Reads MemoryPack-format bytes from a span. Every read checks the bytes remaining first and
/// every length is checked against them before anything is allocated, so hostile input ends in
/// a <see cref="WireFormatException"/>. Mirror of <see cref="WireWriter"/>.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly WireSerializerOptions _options;
    private int _position;
    private int _depth;
    private WireReadState? _state;

    public WireReader(ReadOnlySpan<byte> data, WireSerializerOptions options)
        : this(data, options, null, 0)
    {
    }

    private WireReader(ReadOnlySpan<byte> data, WireSerializerOptions options, WireReadState? state, int depth)
    {
        _data = data;
        _options = options;
        _state = state;
        _depth = depth;
        _position = 0;
    }

    public readonly WireSerializerOptions Options => _options;

    /// <summary>Bytes read so far.</summary>
    public readonly int Consumed => _position;

    public readonly int Remaining => _data.Length - _position;

    // ---- fixed-size values -------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T ReadUnmanaged<T>() where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if ((uint)size > (uint)(_data.Length - _position)) WireErrors.Truncated(size, Remaining);
        T value = Unsafe.ReadUnaligned<T>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_data), _position));
        _position += size;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        if (_position >= _data.Length) WireErrors.Truncated(1, 0);
        return _data[_position++];
    }

    /// <summary>The next <paramref name="count"/> bytes, without copying.</summary>
    public ReadOnlySpan<byte> ReadRaw(int count)
    {
        if ((uint)count > (uint)(_data.Length - _position)) WireErrors.Truncated(count, Remaining);
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public void Skip(int count) => ReadRaw(count);

    // ---- headers (spec 1) -------------------------------------------------------------

    /// <summary>False for null (0xFF); otherwise the member count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadObjectHeader(out byte memberCount)
    {
        memberCount = ReadByte();
        return memberCount != WireConstants.NullObject;
    }

    /// <summary>
    /// False for null (-1); otherwise the element count, checked against MaxCollectionLength and
    /// against the bytes remaining (every element takes at least <paramref name="minElementSize"/> bytes).
    /// </summary>
    public bool TryReadCollectionHeader(out int length, int minElementSize = 1)
    {
        length = ReadUnmanaged<int>();
        if (length == WireConstants.NullCollection) return false;
        if (length < 0) WireErrors.Throw($"Negative collection length {length}.");
        if (length > _options.MaxCollectionLength) WireErrors.Throw($"Collection length {length} exceeds MaxCollectionLength ({_options.MaxCollectionLength}).");
        if ((long)length * Math.Max(minElementSize, 1) > Remaining) WireErrors.Throw($"Collection length {length} needs more than the {Remaining} bytes remaining.");
        return true;
    }

    /// <summary>
    /// A union tag (spec 8). False for null: 0xFF, and 251..254, which the reference reader also
    /// reads as null.
    /// </summary>
    public bool TryReadUnionTag(out ushort tag)
    {
        byte first = ReadByte();
        if (first < WireConstants.WideTag)
        {
            tag = first;
            return true;
        }
        if (first == WireConstants.WideTag)
        {
            tag = ReadUnmanaged<ushort>();
            return true;
        }
        tag = 0;
        return false;
    }

    // ---- VarInt (spec 2.2): every form accepted, range-checked -------------------------------

    public long ReadVarLong()
    {
        sbyte code = unchecked((sbyte)ReadByte());
        if (code >= VarIntCodes.MinSingleValue) return code;
        switch (code)
        {
            case VarIntCodes.Byte: return ReadUnmanaged<byte>();
            case VarIntCodes.SByte: return ReadUnmanaged<sbyte>();
            case VarIntCodes.UInt16: return ReadUnmanaged<ushort>();
            case VarIntCodes.Int16: return ReadUnmanaged<short>();
            case VarIntCodes.UInt32: return ReadUnmanaged<uint>();
            case VarIntCodes.Int32: return ReadUnmanaged<int>();
            case VarIntCodes.UInt64:
                ulong u = ReadUnmanaged<ulong>();
                if (u > long.MaxValue) WireErrors.Throw("VarInt value out of range.");
                return (long)u;
            default: return ReadUnmanaged<long>();
        }
    }

    public int ReadVarInt()
    {
        long value = ReadVarLong();
        if (value < int.MinValue || value > int.MaxValue) WireErrors.Throw($"VarInt value {value} does not fit an int.");
        return (int)value;
    }

    public uint ReadVarUInt()
    {
        long value = ReadVarLong();
        if (value < 0 || value > uint.MaxValue) WireErrors.Throw($"VarInt value {value} does not fit a uint.");
        return (uint)value;
    }

    // ---- strings (spec 3) --------------------------------------------------------------

    public string? ReadString()
    {
        int header = ReadUnmanaged<int>();
        if (header == WireConstants.NullCollection) return null;
        if (header == 0) return string.Empty;
        if (header > 0) return ReadUtf16(header);
        return ReadUtf8(~header);
    }

    private string ReadUtf16(int length)
    {
        if (length > _options.MaxCollectionLength) WireErrors.Throw($"String length {length} exceeds MaxCollectionLength.");
        if ((long)length * 2 > Remaining) WireErrors.Throw($"UTF-16 string of {length} units needs more than the {Remaining} bytes remaining.");
        var bytes = ReadRaw(length * 2);
        return new string(MemoryMarshal.Cast<byte, char>(bytes));
    }

    private string ReadUtf8(int byteCount)
    {
        int utf16Length = ReadUnmanaged<int>();
        if (byteCount > _options.MaxCollectionLength) WireErrors.Throw($"String length {byteCount} exceeds MaxCollectionLength.");
        var bytes = ReadRaw(byteCount);
        if (utf16Length <= 0)
        {
            // No usable length hint (-1 means "unknown"): decode and let the decoder size it.
            return Encoding.UTF8.GetString(bytes);
        }
        // Every UTF-16 unit comes from at least one UTF-8 byte, so a larger hint is a lie and
        // would let a few bytes demand a huge allocation.
        if (utf16Length > byteCount) WireErrors.Throw($"UTF-16 length {utf16Length} exceeds the {byteCount} UTF-8 bytes that encode it.");
        string result = new string('\0', utf16Length);
        var destination = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(result.AsSpan()), utf16Length);
        Utf8.ToUtf16(bytes, destination, out _, out int written, replaceInvalidSequences: true);
        if (written != utf16Length) WireErrors.Throw($"UTF-8 string decodes to {written} UTF-16 units, header says {utf16Length}.");
        return result;
    }

    // ---- nesting and references -----------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnterDepth()
    {
        if (++_depth > _options.MaxDepth) WireErrors.Throw($"Input is nested deeper than MaxDepth ({_options.MaxDepth}).");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ExitDepth() => _depth--;

    /// <summary>
    /// A reader over the next <paramref name="length"/> bytes (one version-tolerant member),
    /// sharing options, depth and reference ids; this reader moves past them.
    /// </summary>
    public WireReader ReadSlice(int length)
    {
        var bytes = ReadRaw(length);
        _state ??= new WireReadState();
        return new WireReader(bytes, _options, _state, _depth);
    }

    /// <summary>A slice reader must consume exactly its member's bytes.</summary>
    public readonly void EnsureFullyConsumed()
    {
        if (_position != _data.Length) WireErrors.Throw($"Member declared {_data.Length} bytes but its encoding used {_position}.");
    }

    /// <summary>
    /// Reads a version-tolerant header after its member count: the first
    /// <paramref name="lengths"/>.Length slot lengths are stored (0 for slots the writer did not
    /// send) and the total of the writer's extra slots is returned, to be skipped after the
    /// known members.
    /// </summary>
    public int ReadVersionTolerantLengths(byte slotCount, scoped Span<int> lengths)
    {
        if (slotCount > WireConstants.MaxMembers) WireErrors.Throw($"Version-tolerant member count {slotCount} is not valid.");
        lengths.Clear();
        long total = 0;
        long extra = 0;
        for (int i = 0; i < slotCount; i++)
        {
            int length = ReadVarInt();
            if (length < 0) WireErrors.Throw($"Negative member length {length}.");
            total += length;
            if (i < lengths.Length) lengths[i] = length;
            else extra += length;
        }
        if (total > Remaining) WireErrors.Throw($"Member lengths total {total} bytes but only {Remaining} remain.");
        return (int)extra;
    }

    /// <summary>Registers an object being read under its circular-reference id, before its members.</summary>
    public void RegisterReference(uint id, object value)
    {
        _state ??= new WireReadState();
        _state.Register(id, value);
    }

    /// <summary>The object a back-reference (0xFA id) points to, which must be a <typeparamref name="T"/>.</summary>
    public T ReadBackReference<T>() where T : class
    {
        uint id = ReadVarUInt();
        object value = (_state ?? throw new WireFormatException($"Back-reference to unknown object id {id}.")).Get(id);
        return value as T ?? throw new WireFormatException($"Back-reference {id} points to a {value.GetType().Name}, not a {typeof(T).Name}.");
    }
}
