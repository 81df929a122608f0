namespace Iridium.Wire.Internal;

/// <summary>Sentinels of the format (spec 1): one place, so reader and writer agree.</summary>
internal static class WireConstants
{
    /// <summary>Null object or union (one-byte headers).</summary>
    public const byte NullObject = 255;

    /// <summary>Union: a uint16 tag follows.</summary>
    public const byte WideTag = 250;

    /// <summary>Circular-reference object: a VarInt id of an object already read follows.</summary>
    public const byte ReferenceMarker = 250;

    /// <summary>Largest member count of an object.</summary>
    public const int MaxMembers = 249;

    /// <summary>Null string or collection (int32 headers).</summary>
    public const int NullCollection = -1;
}

/// <summary>First-byte codes of the VarInt forms (spec 2.2), read as a signed byte.</summary>
internal static class VarIntCodes
{
    public const sbyte MinSingleValue = -120;
    public const sbyte Byte = -121;
    public const sbyte SByte = -122;
    public const sbyte UInt16 = -123;
    public const sbyte Int16 = -124;
    public const sbyte UInt32 = -125;
    public const sbyte Int32 = -126;
    public const sbyte UInt64 = -127;
    public const sbyte Int64 = -128;
}
