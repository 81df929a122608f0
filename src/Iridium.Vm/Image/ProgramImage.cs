using System.Buffers.Binary;

namespace Iridium.Vm;

/// <summary>
/// The program image (docs/reference/image-format.md): magic "EPIE", 60 reserved bytes, u32 LE ro length, ro bytes,
/// code. <see cref="Write"/> and <see cref="TryRead"/> are mirror images of each other.
/// </summary>
public static class ProgramImage
{
    /// <summary>"EPIE".</summary>
    public static ReadOnlySpan<byte> Magic => [0x45, 0x50, 0x49, 0x45];

    /// <summary>Bytes 0..63: magic plus reserved bytes.</summary>
    public const int HeaderLength = 64;

    /// <summary>Offset of the first ro byte: the header plus the u32 ro length.</summary>
    public const int RoDataOffset = HeaderLength + 4;

    /// <summary>True when <paramref name="bytes"/> starts with the magic (a cheap sniff, not validation).</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes) => bytes.Length >= 4 && bytes[..4].SequenceEqual(Magic);

    /// <summary>Builds an image from its ro section and code.</summary>
    public static byte[] Write(ReadOnlySpan<byte> roData, ReadOnlySpan<byte> code)
    {
        var image = new byte[RoDataOffset + roData.Length + code.Length];
        Magic.CopyTo(image);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(HeaderLength), (uint)roData.Length);
        roData.CopyTo(image.AsSpan(RoDataOffset));
        code.CopyTo(image.AsSpan(RoDataOffset + roData.Length));
        return image;
    }

    /// <summary>
    /// Validates an image (docs/reference/image-format.md, "Loading"): at least 68 bytes, the magic, and
    /// 68 + ro length within the image. Bytes 4..63 are not checked.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> image, out ImageLayout layout, out string? error)
    {
        layout = default;
        if (image.Length < RoDataOffset)
        {
            error = $"image is {image.Length} bytes, shorter than the {RoDataOffset}-byte header";
            return false;
        }
        if (!HasMagic(image))
        {
            error = $"bad magic {Convert.ToHexString(image[..4])} (expected 45504945, \"EPIE\")";
            return false;
        }
        uint roLength = BinaryPrimitives.ReadUInt32LittleEndian(image[HeaderLength..]);
        if (roLength > (uint)(image.Length - RoDataOffset))
        {
            error = $"ro length {roLength} runs past the end of the {image.Length}-byte image";
            return false;
        }
        layout = new ImageLayout((int)roLength, RoDataOffset + (int)roLength, image.Length);
        error = null;
        return true;
    }
}

/// <summary>Where the parts of a validated image are.</summary>
public readonly record struct ImageLayout(int RoLength, int CodeStart, int Length)
{
    public int CodeLength => Length - CodeStart;
}
