using System.Buffers.Binary;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// What a node tells its peers with every heartbeat: that it runs programs for `iridium exec`
/// (the capability) and how many it runs and queues (the load `--on any` picks by). It travels as
/// the body of a <see cref="Data"/> frame, which every build reads and an older one drops unread,
/// because neither a longer <see cref="Heartbeat"/> nor a new message can reach an older node
/// without it closing the connection (MemoryPack refuses more members than it knows; an unknown
/// union tag is a protocol error). So a mixed cluster stays meshed, and a node learns a peer
/// understands the exec messages before it sends it one.
/// </summary>
/// <remarks>Body: the magic "IRX1", then running and queued as little-endian int32: 12 bytes.</remarks>
internal readonly record struct NodeLoad(int Running, int Queued)
{
    public const int BodyBytes = 12;

    private static ReadOnlySpan<byte> Magic => "IRX1"u8;

    public byte[] ToBody()
    {
        var body = new byte[BodyBytes];
        Magic.CopyTo(body);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), Running);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(8), Queued);
        return body;
    }

    /// <summary>The load in a <see cref="Data"/> body, or false when the body is something else.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out NodeLoad load)
    {
        load = default;
        if (body.Length != BodyBytes || !body.StartsWith(Magic)) return false;
        int running = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
        int queued = BinaryPrimitives.ReadInt32LittleEndian(body[8..]);
        if (running < 0 || queued < 0) return false;
        load = new NodeLoad(running, queued);
        return true;
    }
}
