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
        if (header[0] != WireTags.ExecOutput || header[1] != MemberCount) return false;

        long requestId = BinaryPrimitives.ReadInt64LittleEndian(header[2..]);
        int length = BinaryPrimitives.ReadInt32LittleEndian(header[10..]);
        long rest = payload.Length - HeaderBytes;
        if (length < -1) throw new ProtocolException($"ExecOutput with a byte count of {length}");
        if (rest != Math.Max(length, 0)) throw new ProtocolException($"ExecOutput announces {Math.Max(length, 0)} bytes and carries {rest}");
        message = OutputChunk.Copy(requestId, payload.Slice(HeaderBytes), isNull: length == -1);
        return true;
    }

    /// <summary>The payload's length for <paramref name="message"/>.</summary>
    public static int EncodedBytes(OutputChunk message) => HeaderBytes + Math.Max(message.Length, 0);

    /// <summary>Appends <paramref name="message"/>'s frame (length prefix and payload), then hands its buffer back.</summary>
    public static void Write(IBufferWriter<byte> output, OutputChunk message, int maxFrameBytes)
    {
        int length = EncodedBytes(message);
        if (length > maxFrameBytes) throw new ProtocolException($"ExecOutput of {length} bytes is over the {maxFrameBytes}-byte frame cap");
        Span<byte> header = output.GetSpan(ProtocolLimits.FrameHeaderBytes + HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)length);
        header = header[ProtocolLimits.FrameHeaderBytes..];
        header[0] = WireTags.ExecOutput;
        header[1] = MemberCount;
        BinaryPrimitives.WriteInt64LittleEndian(header[2..], message.RequestId);
        BinaryPrimitives.WriteInt32LittleEndian(header[10..], message.Length);
        output.Advance(ProtocolLimits.FrameHeaderBytes + HeaderBytes);
        output.Write(message.Bytes);
        message.Release();
    }
}
