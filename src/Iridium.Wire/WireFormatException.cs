namespace Iridium.Wire;

/// <summary>
/// The only exception <see cref="WireSerializer"/>'s Deserialize methods throw: the bytes are
/// truncated, malformed, exceed a configured limit, or do not match the expected type.
/// </summary>
public sealed class WireFormatException : Exception
{
    public WireFormatException(string message)
        : base(message)
    {
    }

    public WireFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
