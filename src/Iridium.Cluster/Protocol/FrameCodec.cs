using System.Buffers;
using System.Buffers.Binary;
using Iridium.Wire;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Frames on the byte stream: a little-endian uint32 payload length, then the payload, which is
/// one <see cref="IClusterMessage"/> in Iridium.Wire encoding. The length is checked against the
/// cap before anything is buffered for it, so a hostile prefix costs nothing.
/// </summary>
public static class FrameCodec
{
    /// <summary>
    /// Takes one complete frame's payload off the front of <paramref name="buffer"/>. Returns false
    /// when more bytes are needed. Throws <see cref="ProtocolException"/> for a zero or over-cap length.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < ProtocolLimits.FrameHeaderBytes) return false;

        Span<byte> header = stackalloc byte[ProtocolLimits.FrameHeaderBytes];
        buffer.Slice(0, ProtocolLimits.FrameHeaderBytes).CopyTo(header);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length == 0) throw new ProtocolException("empty frame");
        if (length > (uint)maxFrameBytes) throw new ProtocolException($"frame of {length} bytes is over the {maxFrameBytes}-byte cap");

        long total = ProtocolLimits.FrameHeaderBytes + (long)length;
        if (buffer.Length < total) return false;
        payload = buffer.Slice(ProtocolLimits.FrameHeaderBytes, length);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>Decodes a payload; any decoding failure becomes a <see cref="ProtocolException"/>.</summary>
    public static IClusterMessage Decode(in ReadOnlySequence<byte> payload)
    {
        try
        {
            return WireSerializer.Deserialize<IClusterMessage>(payload) ?? throw new ProtocolException("null message");
        }
        catch (WireFormatException e)
        {
            throw new ProtocolException($"frame does not decode: {e.Message}", e);
        }
    }

    /// <summary>
    /// Appends one frame to <paramref name="output"/>. The message is encoded into
    /// <paramref name="scratch"/> first because the length prefix precedes it.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, IClusterMessage message, ArrayBufferWriter<byte> scratch, int maxFrameBytes)
    {
        scratch.ResetWrittenCount();
        WireSerializer.Serialize(scratch, message);
        int length = scratch.WrittenCount;
        if (length > maxFrameBytes) throw new ProtocolException($"{message.GetType().Name} of {length} bytes is over the {maxFrameBytes}-byte frame cap");

        Span<byte> span = output.GetSpan(ProtocolLimits.FrameHeaderBytes + length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        scratch.WrittenSpan.CopyTo(span[ProtocolLimits.FrameHeaderBytes..]);
        output.Advance(ProtocolLimits.FrameHeaderBytes + length);
    }

    /// <summary>One frame as a new array (tests, fuzzing).</summary>
    public static byte[] ToFrame(IClusterMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        Write(output, message, new ArrayBufferWriter<byte>(), int.MaxValue);
        return output.WrittenSpan.ToArray();
    }
}
