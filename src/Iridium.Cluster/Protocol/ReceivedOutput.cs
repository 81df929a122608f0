using System.Buffers;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// An <see cref="ExecOutput"/> as it arrives, decoded by <see cref="ExecOutputCodec"/> rather than
/// MemoryPack: its bytes are copied once from the connection into a pooled buffer instead of a new
/// array. Program output crosses a relaying node and reaches the client as chunks of up to 256 KiB,
/// and decoding each into a fresh array (copied twice, cleared, and collected as a large object)
/// was over a quarter of a relaying node's CPU. It encodes as the <see cref="ExecOutput"/> it was,
/// under its <see cref="RequestId"/> (a relay rewrites it), and its buffer goes back to the pool
/// once it is encoded or, at the client, once <see cref="Release"/> is called. A buffer never
/// returned is only garbage: the pool does not need it back.
/// </summary>
internal sealed class ReceivedOutput : IExecMessage
{
    private byte[]? _buffer;

    private ReceivedOutput(long requestId, byte[]? buffer, int length)
    {
        RequestId = requestId;
        _buffer = buffer;
        Length = length;
    }

    public long RequestId { get; set; }

    /// <summary>The number of output bytes; -1 for a message that carried none (a null array on the wire).</summary>
    public int Length { get; }

    /// <summary>The output bytes (empty once released).</summary>
    public ReadOnlySpan<byte> Bytes => _buffer is { } buffer ? buffer.AsSpan(0, Math.Max(Length, 0)) : default;

    /// <summary>A copy of <paramref name="bytes"/> (null: none) in a pooled buffer.</summary>
    public static ReceivedOutput Copy(long requestId, in ReadOnlySequence<byte> bytes, bool isNull)
    {
        if (isNull) return new ReceivedOutput(requestId, null, -1);
        int length = checked((int)bytes.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        bytes.CopyTo(buffer);
        return new ReceivedOutput(requestId, buffer, length);
    }

    /// <summary>Gives the buffer back to the pool; the bytes are not read again.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
    }
}
