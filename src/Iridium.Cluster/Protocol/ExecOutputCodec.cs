using System.Buffers;
using System.Buffers.Binary;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// <see cref="ExecOutput"/>'s encoding, by hand, for the one message that carries bulk bytes across
/// every hop (see <see cref="OutputChunk"/> for why). The bytes are MemoryPack's: union tag,
/// member count 2, <c>RequestId</c> as a little-endian long, the byte array as a little-endian int
/// length (-1 for null) and the bytes. Tests check both directions against MemoryPack's own
/// encoding, byte for byte; any other form of the message (an older, shorter one, a null object)
/// is left to MemoryPack.
/// </summary>
internal static class ExecOutputCodec
{
    /// <summary>Union tag, member count, request id, array length.</summary>
    public const int HeaderBytes = 2 + sizeof(long) + sizeof(int);

    private const byte MemberCount = 2;

    /// <summary>The payload of a frame, if it is an <see cref="ExecOutput"/> of the current form; a malformed one is a <see cref="ProtocolException"/>.</summary>
    public static bool TryDecode(in ReadOnlySequence<byte> payload, out OutputChunk? message)
    {
        message = null;
        if (payload.Length < HeaderBytes) return false;
        Span<byte> header = stackalloc byte[HeaderBytes];
        payload.Slice(0, HeaderBytes).CopyTo(header);
        if (!TryReadHeader(header, payload.Length, out long requestId, out int length)) return false;
        message = OutputChunk.Copy(requestId, payload.Slice(HeaderBytes), isNull: length == -1);
        return true;
    }

    /// <summary>
    /// The payload <paramref name="pooled"/>[..<paramref name="length"/>] (a buffer from the shared
    /// pool), if it is an <see cref="ExecOutput"/> of the current form: the message then owns the
    /// buffer, reads its bytes where they are, and hands it back to the pool once released. False
    /// leaves the buffer to the caller. A malformed one is a <see cref="ProtocolException"/>.
    /// </summary>
    public static bool TryDecodeInPlace(byte[] pooled, int length, out OutputChunk? message)
    {
        message = null;
        if (length < HeaderBytes || !TryReadHeader(pooled.AsSpan(0, HeaderBytes), length, out long requestId, out int count)) return false;
        message = OutputChunk.Adopt(requestId, pooled, HeaderBytes, count);
        return true;
    }

    /// <summary>The request id and byte count (-1: null) in an <see cref="ExecOutput"/>'s header, checked against the payload's length.</summary>
    private static bool TryReadHeader(ReadOnlySpan<byte> header, long payloadLength, out long requestId, out int length)
    {
        requestId = 0;
        length = 0;
        if (header[0] != WireTags.ExecOutput || header[1] != MemberCount) return false;
        requestId = BinaryPrimitives.ReadInt64LittleEndian(header[2..]);
        length = BinaryPrimitives.ReadInt32LittleEndian(header[10..]);
        long rest = payloadLength - HeaderBytes;
        if (length < -1) throw new ProtocolException($"ExecOutput with a byte count of {length}");
        if (rest != Math.Max(length, 0)) throw new ProtocolException($"ExecOutput announces {Math.Max(length, 0)} bytes and carries {rest}");
        return true;
    }

    /// <summary>The payload's length for <paramref name="message"/>.</summary>
    public static int EncodedBytes(OutputChunk message) => HeaderBytes + Math.Max(message.Length, 0);

    /// <summary>Appends <paramref name="message"/>'s frame (length prefix and payload), then hands its buffer back.</summary>
    public static void Write(IBufferWriter<byte> output, OutputChunk message, int maxFrameBytes)
    {
        Span<byte> header = output.GetSpan(ProtocolLimits.FrameHeaderBytes + HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)EncodedBytes(message));
        WriteHeader(header[ProtocolLimits.FrameHeaderBytes..], message, maxFrameBytes);
        output.Advance(ProtocolLimits.FrameHeaderBytes + HeaderBytes);
        output.Write(message.Bytes);
        message.Release();
    }

    /// <summary>The payload's first <see cref="HeaderBytes"/> for <paramref name="message"/>, which its bytes follow.</summary>
    public static void WriteHeader(Span<byte> header, OutputChunk message, int maxFrameBytes)
    {
        int length = EncodedBytes(message);
        if (length > maxFrameBytes) throw new ProtocolException($"ExecOutput of {length} bytes is over the {maxFrameBytes}-byte frame cap");
        header[0] = WireTags.ExecOutput;
        header[1] = MemberCount;
        BinaryPrimitives.WriteInt64LittleEndian(header[2..], message.RequestId);
        BinaryPrimitives.WriteInt32LittleEndian(header[10..], message.Length);
    }
}
