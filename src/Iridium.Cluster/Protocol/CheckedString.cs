using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Put on every string member of a cluster message: the string is written exactly as MemoryPack
/// writes any string (so the bytes do not change), and read only after its length header has been
/// checked against the bytes that are left.
/// </summary>
/// <remarks>
/// MemoryPack 1.21.4 checks a UTF-8 string's byte count B (stored as ~B) with <c>B + 4</c> in
/// 32-bit arithmetic; for the headers 0x80000000..0x80000003 that sum overflows, the check passes,
/// and the reader decodes about 2 GiB from past the end of the frame: an access violation that
/// kills the process, from a 14-byte frame any stranger may send before authenticating. Every
/// other header is checked by MemoryPack itself.
/// </remarks>
internal sealed class CheckedStringAttribute : MemoryPackCustomFormatterAttribute<CheckedStringFormatter, string>
{
    public override CheckedStringFormatter GetFormatter() => CheckedStringFormatter.Instance;
}

/// <summary>The formatter behind <see cref="CheckedStringAttribute"/>.</summary>
internal sealed class CheckedStringFormatter : MemoryPackFormatter<string>
{
    public static readonly CheckedStringFormatter Instance = new();

    /// <summary>Bytes between a UTF-8 string's header and its text: the UTF-16 length.</summary>
    private const int Utf16LengthBytes = 4;

    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref string? value)
        => writer.WriteString(value);

    public override void Deserialize(ref MemoryPackReader reader, scoped ref string? value)
    {
        // Peeking checks that the four header bytes exist, and positive (UTF-16) lengths.
        if (reader.TryPeekCollectionHeader(out int header) && header < 0)
        {
            long utf8Bytes = ~(long)header;
            long needed = sizeof(int) + Utf16LengthBytes + utf8Bytes;
            if (needed > reader.Remaining)
                throw new MemoryPackSerializationException($"a string of {utf8Bytes} UTF-8 bytes does not fit in the {reader.Remaining} bytes left");
        }
        value = reader.ReadString();
    }
}
