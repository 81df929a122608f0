namespace Iridium.Wire;

/// <summary>How strings are written. Readers accept both forms whatever this says.</summary>
public enum StringEncoding
{
    /// <summary>[~utf8Bytes:int32][utf16Length:int32][UTF-8 bytes]; MemoryPack's default.</summary>
    Utf8,
    /// <summary>[utf16Length:int32][UTF-16LE code units].</summary>
    Utf16,
}

/// <summary>
/// Settings for one Serialize/Deserialize call. The limits exist because Deserialize reads
/// bytes from the network: they bound recursion and allocation whatever the input says.
/// </summary>
public sealed record WireSerializerOptions
{
    /// <summary>UTF-8 strings (the default, as in MemoryPack).</summary>
    public static WireSerializerOptions Utf8 { get; } = new() { StringEncoding = StringEncoding.Utf8 };

    /// <summary>UTF-16 strings.</summary>
    public static WireSerializerOptions Utf16 { get; } = new() { StringEncoding = StringEncoding.Utf16 };

    /// <summary>Same as <see cref="Utf8"/>; used when no options are passed.</summary>
    public static WireSerializerOptions Default => Utf8;

    public StringEncoding StringEncoding { get; init; } = StringEncoding.Utf8;

    /// <summary>Deepest nesting of objects, unions and collections before a WireFormatException.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Largest element count accepted for any one collection or string (beyond the check against the bytes remaining).</summary>
    public int MaxCollectionLength { get; init; } = 16 * 1024 * 1024;
}
