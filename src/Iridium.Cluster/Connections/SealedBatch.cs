using System.Buffers.Binary;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>
/// Several small frames sealed as one (docs/reference/cluster-protocol.md, "Sealed frames"): the
/// plaintext is the tag <see cref="WireTags.SealedBatch"/>, then the frames exactly as a plain-text
/// connection carries them (each a little-endian uint32 length, then its message). A connection's
/// writer seals what is queued together once: a busy connection (eight processes' SENDs from one
/// scheduler batch, their answers) then pays one AEAD setup and tag per write instead of one per
/// message, which was most of the cipher's cost for messages of a few dozen bytes. The batch is
/// one AEAD message with one number, so its frames are authenticated, ordered and numbered as a
/// whole: altered, replayed, dropped or cut short, none of them is delivered.
/// </summary>
internal static class SealedBatch
{
    /// <summary>A frame (length prefix and message) this large or smaller may join a batch; larger ones are sealed alone.</summary>
    public const int MaxJoiningFrameBytes = 4 * 1024;

    /// <summary>
    /// The most plaintext one batch holds: far under the smallest frame cap a peer may have
    /// (<see cref="ProtocolLimits.MinFrameBytes"/>), so a batch never exceeds the reader's cap.
    /// </summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>True when <paramref name="frame"/> may be sealed in a batch: an encoded message, small.</summary>
    public static bool Joins(in QueuedFrame frame) => frame.Encoded is not null && frame.Bytes <= MaxJoiningFrameBytes;

    /// <summary>True when an opened plaintext is a batch rather than one message.</summary>
    public static bool IsBatch(ReadOnlySpan<byte> plaintext) => plaintext.Length > 0 && plaintext[0] == WireTags.SealedBatch;

    /// <summary>
    /// The next frame of a batch's plaintext from <paramref name="offset"/> (start at 1, past the
    /// tag): its message's start and length, and <paramref name="offset"/> moved past it. False at
    /// the end. A batch with no frame, an empty frame, or one cut short or over <paramref name="maxFrameBytes"/>
    /// is a <see cref="ProtocolException"/>: the batch was authenticated, so its sender is at fault.
    /// </summary>
    public static bool TryNext(ReadOnlySpan<byte> plaintext, ref int offset, int maxFrameBytes, out int start, out int length)
    {
        start = length = 0;
        if (offset == plaintext.Length)
        {
            if (offset == 1) throw new ProtocolException("sealed batch with no frame");
            return false;
        }
        if (plaintext.Length - offset < ProtocolLimits.FrameHeaderBytes) throw new ProtocolException("sealed batch ends inside a frame's length");
        uint announced = BinaryPrimitives.ReadUInt32LittleEndian(plaintext[offset..]);
        if (announced == 0) throw new ProtocolException("empty frame in a sealed batch");
        if (announced > (uint)maxFrameBytes) throw new ProtocolException($"frame of {announced} bytes in a sealed batch is over the {maxFrameBytes}-byte cap");
        start = offset + ProtocolLimits.FrameHeaderBytes;
        if (announced > (uint)(plaintext.Length - start)) throw new ProtocolException($"sealed batch cut short: a frame of {announced} bytes has {plaintext.Length - start}");
        length = (int)announced;
        offset = start + length;
        return true;
    }
}
