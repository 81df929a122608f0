using System.Buffers;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>
/// One frame in a connection's outbox, encoded when it was queued so that the queue knows, to
/// the byte, what it holds. Program output (<see cref="OutputChunk"/>) is kept as it is: its size
/// is known without encoding and the connection's writer writes it straight into the pipe.
/// <see cref="Returns"/> is an allowance (<see cref="ClusterConnection.Allow"/>) handed back once
/// this frame has been written: the end of a stream that was allowed that much.
/// </summary>
internal readonly record struct QueuedFrame(byte[]? Encoded, OutputChunk? Chunk, int Bytes, long Returns)
{
    public static QueuedFrame Of(IClusterMessage message, int maxFrameBytes, long returns)
    {
        if (message is OutputChunk chunk)
        {
            int payload = ExecOutputCodec.EncodedBytes(chunk);
            if (payload > maxFrameBytes) throw new ProtocolException($"ExecOutput of {payload} bytes is over the {maxFrameBytes}-byte frame cap");
            return new QueuedFrame(null, chunk, ProtocolLimits.FrameHeaderBytes + payload, returns);
        }
        var (encoded, length) = FrameCodec.Encode(message, maxFrameBytes);
        return new QueuedFrame(encoded, null, length, returns);
    }

    public void WriteTo(IBufferWriter<byte> output, int maxFrameBytes)
    {
        if (Chunk is not null)
        {
            ExecOutputCodec.Write(output, Chunk, maxFrameBytes);
            return;
        }
        output.Write(Encoded.AsSpan(0, Bytes));
        ArrayPool<byte>.Shared.Return(Encoded!);
    }

    /// <summary>Appends the frame sealed by <paramref name="cipher"/>, read from where it is (no plaintext copy), then hands its buffer back.</summary>
    public void WriteSealedTo(IBufferWriter<byte> output, FrameCipher cipher, int maxFrameBytes)
    {
        if (Chunk is not null)
        {
            Span<byte> header = stackalloc byte[ExecOutputCodec.HeaderBytes];
            ExecOutputCodec.WriteHeader(header, Chunk, maxFrameBytes);
            cipher.Seal(header, Chunk.Bytes, output);
            Chunk.Release();
            return;
        }
        cipher.Seal(Encoded.AsSpan(ProtocolLimits.FrameHeaderBytes, Bytes - ProtocolLimits.FrameHeaderBytes), [], output);
        ArrayPool<byte>.Shared.Return(Encoded!);
    }

    /// <summary>Hands back what the frame holds without sending it (the connection closed).</summary>
    public void Discard()
    {
        if (Encoded is not null) ArrayPool<byte>.Shared.Return(Encoded);
        Chunk?.Release();
    }
}
