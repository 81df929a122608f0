using System.Buffers;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// An <see cref="ExecOutput"/> in memory, as it is sent and as it arrives: its bytes sit in a buffer
/// that goes back where it came from once they are encoded or consumed, instead of in a new array
/// per frame. <see cref="ExecOutputCodec"/> reads and writes it (not MemoryPack). Program output
/// crosses a relaying node and reaches the client as chunks of up to 256 KiB, and decoding each into
/// a fresh array (copied twice, cleared, and collected as a large object) was over a quarter of a
/// relaying node's CPU. A process ships its own chunks (<see cref="Of"/>, handed back to it once
/// encoded); a receiver gets a pooled copy (<see cref="Copy"/>), or on an encrypted connection the pooled buffer the frame was opened into (<see cref="Adopt"/>), which a relay forwards as it is under
/// its own <see cref="RequestId"/> and a client releases once written. A buffer never handed back is
/// only garbage.
/// </summary>
internal sealed class OutputChunk : IExecMessage
{
    private static readonly Action<byte[]> ToPool = buffer => ArrayPool<byte>.Shared.Return(buffer);

    private readonly Action<byte[]>? _giveBack;
    private readonly int _offset;
    private byte[]? _buffer;

    private OutputChunk(long requestId, byte[]? buffer, int offset, int length, Action<byte[]>? giveBack)
    {
        RequestId = requestId;
        _buffer = buffer;
        _offset = offset;
        Length = length;
        _giveBack = giveBack;
    }

    public long RequestId { get; set; }

    /// <summary>The number of output bytes; -1 for a message that carried none (a null array on the wire).</summary>
    public int Length { get; }

    /// <summary>The output bytes (empty once released).</summary>
    public ReadOnlySpan<byte> Bytes => _buffer is { } buffer ? buffer.AsSpan(_offset, Math.Max(Length, 0)) : default;

    /// <summary>All of <paramref name="bytes"/>, handed to <paramref name="giveBack"/> once encoded (a process's chunk).</summary>
    public static OutputChunk Of(long requestId, byte[] bytes, Action<byte[]>? giveBack) => new(requestId, bytes, 0, bytes.Length, giveBack);

    /// <summary>A copy of <paramref name="bytes"/> (null: none) in a pooled buffer.</summary>
    public static OutputChunk Copy(long requestId, in ReadOnlySequence<byte> bytes, bool isNull)
    {
        if (isNull) return new OutputChunk(requestId, null, 0, -1, null);
        int length = checked((int)bytes.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        bytes.CopyTo(buffer);
        return new OutputChunk(requestId, buffer, 0, length, ToPool);
    }

    /// <summary>
    /// The <paramref name="length"/> bytes (-1: none) at <paramref name="offset"/> in a buffer
    /// rented from the shared pool, read where they are and the buffer handed back on release
    /// (a frame opened by the connection's cipher: no copy out of it).
    /// </summary>
    public static OutputChunk Adopt(long requestId, byte[] pooled, int offset, int length) => new(requestId, pooled, offset, length, ToPool);

    /// <summary>Hands the buffer back; the bytes are not read again.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer) _giveBack?.Invoke(buffer);
    }
}
