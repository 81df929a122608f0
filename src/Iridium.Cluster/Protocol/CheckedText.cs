using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// A string member of a cluster message as it travels. A message declares it as a public
/// <c>string?</c> property that MemoryPack ignores, backed by a private field of this type that
/// MemoryPack serializes in its place: written exactly as MemoryPack writes a string (so the bytes
/// do not change), and read only after its length header has been checked against the bytes left.
/// </summary>
/// <remarks>
/// MemoryPack 1.21.4 checks a UTF-8 string's byte count B (stored as ~B) with <c>B + 4</c> in
/// 32-bit arithmetic; for the headers 0x80000000..0x80000003 that sum overflows, the check passes,
/// and the reader decodes about 2 GiB from past the end of the frame: an access violation that
/// kills the process, from a 14-byte frame any stranger may send before authenticating. Every
/// other header is checked by MemoryPack itself. (A custom-formatter attribute on the string
/// property would do the same, but MemoryPack's generator finds such an attribute by reflection in
/// each message's static constructor, which was a fifth of what one `iridium exec` cost.)
/// </remarks>
internal readonly record struct CheckedText(string? Value);

/// <summary>Reads and writes <see cref="CheckedText"/>; registered with the union (<see cref="FrameCodec"/>).</summary>
internal sealed class CheckedTextFormatter : MemoryPackFormatter<CheckedText>
{
    /// <summary>Bytes between a UTF-8 string's header and its text: the UTF-16 length.</summary>
    private const int Utf16LengthBytes = 4;

    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref CheckedText value)
        => writer.WriteString(value.Value);

    public override void Deserialize(ref MemoryPackReader reader, scoped ref CheckedText value)
    {
        // Peeking checks that the four header bytes exist, and positive (UTF-16) lengths.
        if (reader.TryPeekCollectionHeader(out int header) && header < 0)
        {
            long utf8Bytes = ~(long)header;
            long needed = sizeof(int) + Utf16LengthBytes + utf8Bytes;
            if (needed > reader.Remaining)
                throw new MemoryPackSerializationException($"a string of {utf8Bytes} UTF-8 bytes does not fit in the {reader.Remaining} bytes left");
        }
        value = new CheckedText(reader.ReadString());
    }
}
