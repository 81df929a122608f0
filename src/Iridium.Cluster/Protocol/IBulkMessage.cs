namespace Iridium.Cluster.Protocol;

/// <summary>
/// A message that carries bulk bytes and knows its encoded size before it is encoded, so that
/// <see cref="FrameCodec.Write"/> can check it against the frame cap and then serialize it straight
/// into the connection's output instead of through a scratch buffer: one copy of the bulk bytes
/// fewer on every hop (program output crosses two or three). A test checks each size against
/// MemoryPack's own encoding.
/// </summary>
internal interface IBulkMessage : IClusterMessage
{
    /// <summary>The payload's length in MemoryPack's format: union tag, member count, members.</summary>
    int EncodedBytes { get; }

    /// <summary>Called once the message is encoded into a frame: its bulk bytes are no longer read and may be reused.</summary>
    void Encoded()
    {
    }
}

/// <summary>The sizes of MemoryPack's encoding that the bulk messages are made of.</summary>
internal static class EncodedSize
{
    /// <summary>A union tag below 250 and an object's member count: one byte each.</summary>
    public const int UnionObjectHeader = 2;

    /// <summary>A byte array: its length as an int (-1 for null), then the bytes.</summary>
    public static int ByteArray(byte[]? bytes) => sizeof(int) + (bytes?.Length ?? 0);
}
