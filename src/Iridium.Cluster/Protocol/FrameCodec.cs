using System.Buffers;
using System.Buffers.Binary;
using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Frames on the byte stream: a little-endian uint32 payload length, then the payload, which is
/// one <see cref="IClusterMessage"/> in MemoryPack's format (union tag first). The length is
/// checked against the cap before anything is buffered for it, so a hostile prefix costs nothing.
/// This is the only place cluster messages are encoded or decoded.
/// </summary>
internal static class FrameCodec
{
    /// <summary>
    /// The union is the entry point of every encode and decode, and <see cref="CheckedText"/>
    /// (every string member travels as one) is the only member type MemoryPack looks up in its
    /// registry: messages are read and written through their generated static methods, lists of
    /// records through ListFormatter's packable helpers, unmanaged members directly. So these two
    /// are registered here, by value. In the published binary that is all the registry holds: the
    /// registrations MemoryPack's generator writes into each message's static constructor compile
    /// to nothing there (src/Iridium.Cli/Trimming/MemoryPack.Substitutions.xml, for start-up),
    /// and elsewhere (tests) they run as well (<see cref="MessageFormatters.Register"/>).
    /// </summary>
    static FrameCodec()
    {
        MemoryPackFormatterProvider.Register(new IClusterMessage.IClusterMessageFormatter());
        MemoryPackFormatterProvider.Register(new CheckedTextFormatter());
    }

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
        if (length > (uint)maxFrameBytes)
            throw new ProtocolException($"frame of {length} bytes is over the {maxFrameBytes}-byte cap") { RefusedFrameHeader = header.ToArray() };

        long total = ProtocolLimits.FrameHeaderBytes + (long)length;
        if (buffer.Length < total) return false;
        payload = buffer.Slice(ProtocolLimits.FrameHeaderBytes, length);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>
    /// Decodes a payload that must hold exactly one message. Any failure to decode becomes a
    /// <see cref="ProtocolException"/>, which closes that one connection. Program output arrives
    /// as an <see cref="OutputChunk"/>, never as an <see cref="ExecOutput"/>.
    /// </summary>
    public static IClusterMessage Decode(in ReadOnlySequence<byte> payload)
    {
        if (ExecOutputCodec.TryDecode(payload, out var output)) return output!;
        IClusterMessage? message = null;
        int consumed;
        try
        {
            consumed = MemoryPackSerializer.Deserialize(payload, ref message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Decoding is a pure function of bytes bounded by the frame cap, so whatever it throws
            // means "these bytes are not a message": MemoryPackSerializationException for short
            // input, unknown tags and too many members, but also ArgumentOutOfRangeException or
            // OverflowException for a negative collection length (MemoryPack checks only -1).
            // Listing types would turn the next one found by a fuzzer into a crashed handshake.
            throw new ProtocolException($"frame does not decode: {e.Message}", e);
        }
        if (message is null) throw new ProtocolException("null message");
        if (consumed != payload.Length) throw new ProtocolException($"{payload.Length - consumed} bytes left over after {message.GetType().Name}");
        // An older, shorter form of ExecOutput: still one type for every reader.
        if (message is ExecOutput old) return OutputChunk.Copy(old.RequestId, new ReadOnlySequence<byte>(old.Bytes ?? []), isNull: old.Bytes is null);
        return message;
    }

    /// <summary>
    /// Appends one frame to <paramref name="output"/>. The length prefix precedes the message, so a
    /// message is encoded into <paramref name="scratch"/> first, except program output
    /// (<see cref="OutputChunk"/>), whose size is known and which is encoded straight into the output.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, IClusterMessage message, ArrayBufferWriter<byte> scratch, int maxFrameBytes)
    {
        if (message is OutputChunk chunk)
        {
            ExecOutputCodec.Write(output, chunk, maxFrameBytes);
            return;
        }
        scratch.ResetWrittenCount();
        var writer = new ScratchWriter(scratch);
        MemoryPackSerializer.Serialize<IClusterMessage, ScratchWriter>(in writer, message);
        int length = scratch.WrittenCount;
        if (length > maxFrameBytes) throw new ProtocolException($"{message.GetType().Name} of {length} bytes is over the {maxFrameBytes}-byte frame cap");

        Span<byte> span = output.GetSpan(ProtocolLimits.FrameHeaderBytes + length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        scratch.WrittenSpan.CopyTo(span[ProtocolLimits.FrameHeaderBytes..]);
        output.Advance(ProtocolLimits.FrameHeaderBytes + length);
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>
    /// One frame (length prefix and payload) in a buffer rented from the shared pool, for a queue
    /// that must know its size in bytes; the caller returns the buffer. Encoded on the calling
    /// thread, so the scratch space is per thread. Program output is not encoded this way.
    /// </summary>
    public static (byte[] Frame, int Length) Encode(IClusterMessage message, int maxFrameBytes)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        var writer = new ScratchWriter(scratch);
        MemoryPackSerializer.Serialize<IClusterMessage, ScratchWriter>(in writer, message);
        int length = scratch.WrittenCount;
        if (length > maxFrameBytes) throw new ProtocolException($"{message.GetType().Name} of {length} bytes is over the {maxFrameBytes}-byte frame cap");
        byte[] frame = ArrayPool<byte>.Shared.Rent(ProtocolLimits.FrameHeaderBytes + length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)length);
        scratch.WrittenSpan.CopyTo(frame.AsSpan(ProtocolLimits.FrameHeaderBytes));
        // A large scratch buffer is not kept per thread: one big message would pin it for ever.
        if (scratch.Capacity > 1 << 20) t_scratch = null;
        return (frame, ProtocolLimits.FrameHeaderBytes + length);
    }

    /// <summary>One frame as a new array (tests, fuzzing).</summary>
    public static byte[] ToFrame(IClusterMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        Write(output, message, new ArrayBufferWriter<byte>(), int.MaxValue);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The scratch buffer as a struct, only so that MemoryPack's Serialize&lt;TBufferWriter&gt; (a
    /// generic virtual method of every formatter) is instantiated over a value type. Over a class
    /// Native AOT runs one shared body whose generic dictionary the type loader builds at run
    /// time, on the first frame of each message type: measured with perf, that was most of the
    /// CPU between connect and the first frame of every client command (members, ping, exec).
    /// </summary>
    private readonly struct ScratchWriter(ArrayBufferWriter<byte> inner) : IBufferWriter<byte>
    {
        public void Advance(int count) => inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}
